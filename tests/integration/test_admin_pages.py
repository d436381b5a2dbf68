"""The admin pages (/admin…) over the demo city, as an admin signed in with a browser session: every page renders,
each form sends its command (a refusal is shown naming its field, nothing changes), other roles get 403."""

from __future__ import annotations

import re

from api_support import Api
from pages_support import Browser


def _post(browser: Browser, url: str, **data: str) -> str:
    """Post a form with the page's CSRF token, follow the redirect; the page's text."""
    response = browser.client.post(url, data={"csrf_token": browser.token, **data}, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return str(response.text)


def test_every_admin_page_renders_for_an_admin_only(api: Api) -> None:
    browser = Browser(api, "admin")
    home = browser.get("/admin")
    assert home.status_code == 200 and 'id="nav-admin"' in home.text and "/admin/calendar" in home.text
    for url, marker in (("/admin/departments", "350602-D02"), ("/admin/subtypes", "0601"),
                        ("/admin/routing", "open-in-designer"), ("/admin/users?q=seat", "seat01"),
                        ("/admin/departments/C19", "edit-department"), ("/admin/subtypes/0601", "edit-subtype"),
                        ("/admin/users/seat01", "user-role"),
                        ("/admin/channels", "channel-form-hotline"), ("/admin/users?lang=en", "Add a user"),
                        ("/admin?lang=en", "Change history")):
        page = browser.get(url)
        assert page.status_code == 200 and marker in page.text, url
    assert browser.get("/admin/departments/NOPE").status_code == 404
    other = Browser(api, "seat01")
    assert other.get("/admin").status_code == 403
    assert other.get("/admin/users").status_code == 403
    assert 'id="nav-admin"' not in other.get("/inbox").text


def test_the_forms_send_their_commands_and_show_refusals(api: Api) -> None:
    browser = Browser(api, "admin")
    browser.get("/admin/departments")
    page = _post(browser, "/admin/departments", code="C95", name_zh="园林绿化服务中心", name_en="Greening centre",
                 level="city", district="", comment="")
    assert "园林绿化服务中心" in page and "toggle-department" in page
    browser.get("/admin/departments")
    refused = _post(browser, "/admin/departments", code="C96", name_zh="x", name_en="x", level="street", district="")
    assert "district:" in refused
    assert "C96" not in browser.get("/admin/departments").text
    browser.get("/admin/routing")
    moved = _post(browser, "/admin/routing", subtype_code="0701", department="C95", comment="")
    assert 'id="routing-0701"' in moved
    assert "<code>C95</code>" in browser.get("/admin/subtypes/0701").text
    browser.get("/admin/users/seat06")
    page = _post(browser, "/admin/users/seat06", action="disable", comment="left")
    assert 'id="user-disabled"' in page and "left" in page
    page = _post(browser, "/admin/users/seat06", action="reset", password="")
    assert "flash-secret" in page
    without_token = api.app.test_client().post("/admin/users/seat06", data={"action": "enable"})
    assert without_token.status_code in (302, 400, 403)  # no session, or no CSRF token: nothing done
    assert 'id="user-disabled"' in browser.get("/admin/users/seat06").text


def test_a_users_role_and_tokens_from_their_page(api: Api) -> None:
    browser = Browser(api, "admin")
    browser.get("/admin/users/seat08")
    page = _post(browser, "/admin/users/seat08", action="role", role="shift_lead", department="C02", district="")
    assert "flash-success" in page and 'value="shift_lead" selected' in page
    page = _post(browser, "/admin/users/seat08", action="token", name="wall-display")
    secret = re.search(r"(gct_[A-Za-z0-9_-]+)", page)
    assert secret and "wall-display" in page
    assert api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 200
    token_id = re.search(r'name="token_id" value="(\d+)"', page)
    assert token_id
    page = _post(browser, "/admin/users/seat08", action="revoke", token_id=token_id.group(1))
    assert api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 401
    refused = _post(browser, "/admin/users/seat08", action="role", role="collector", department="", district="")
    assert "district:" in refused
