"""A one-time password or a new token from a user's admin page is shown in the POST's own response, never stored
in the session cookie (signed, not encrypted: anyone holding the cookie could read it), and not cached."""

from __future__ import annotations

import re
from typing import Any

from api_support import Api
from pages_support import Browser


def _cookies_of(api: Api, response: Any) -> str:
    """Every cookie the response sets, the session cookie decoded (it is compressed and signed, not encrypted:
    a secret flashed into it would be readable once decoded)."""
    serializer = api.app.session_interface.get_signing_serializer(api.app)  # type: ignore[attr-defined]
    out = []
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        out.append(repr(serializer.loads(value)) if name == api.app.config["SESSION_COOKIE_NAME"] and value else header)
    return " ".join(out)


def test_a_one_time_password_is_in_the_response_not_the_session_cookie(api: Api) -> None:
    browser = Browser(api, "admin")
    browser.get("/admin/users/seat07")
    response = browser.client.post("/admin/users/seat07", data={"csrf_token": browser.token, "action": "reset",
                                                                "password": ""})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    shown = re.search(r'id="user-secret">[^<]*[：:]\s*([^<\s]+)<', response.text)
    assert shown, response.text[:2000]
    secret = shown.group(1)
    cookies = _cookies_of(api, response)
    assert secret not in cookies
    later = browser.get("/admin/users/seat07")
    assert secret not in later.text and secret not in _cookies_of(api, later)
    assert api.client.post("/api/v1/auth/token", json={"username": "seat07", "password": secret}).status_code == 200


def test_a_new_token_is_in_the_response_not_the_session_cookie(api: Api) -> None:
    browser = Browser(api, "admin")
    browser.get("/admin/users/seat09")
    response = browser.client.post("/admin/users/seat09", data={"csrf_token": browser.token, "action": "token",
                                                                "name": "kiosk"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = re.search(r"(gct_[A-Za-z0-9_-]+)", response.text)
    assert token
    assert token.group(1) not in _cookies_of(api, response)
    assert api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token.group(1)}"}).status_code == 200


def test_a_users_page_is_the_user_named_exactly(api: Api) -> None:
    browser = Browser(api, "admin")
    assert browser.get("/admin/users/seat0").status_code == 404  # a prefix of seat01… is nobody
    assert "seat01" in browser.get("/admin/users/seat01").text
