"""The admin pages in a real browser (Debian's Chromium): an admin adds a department from the admin home, moves a
subtype's routing to it (a new rules version; the next report of that subtype is routed to the new department at
派遣), and disables a user, who then cannot sign in."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

from browser_support import PASSWORD, sign_in
from playwright.sync_api import expect

POINT = {"lat": 24.51, "lon": 117.65}  # in district 350602


def _api(base: str, method: str, path: str, body: dict[str, Any] | None = None, token: str = "") -> Any:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _token(base: str, username: str) -> str:
    return str(_api(base, "POST", "/auth/token", {"username": username, "password": PASSWORD})["token"])


def _step(base: str, token: str, case_no: str, bpmn_id: str, data: dict[str, Any]) -> None:
    task = next(t for t in _api(base, "GET", f"/tasks?case_no={case_no}", token=token)["tasks"]
                if t["bpmn_id"] == bpmn_id)
    _api(base, "POST", f"/tasks/{task['id']}/complete", {"data": data}, token)


def _suggested_department(base: str) -> str:
    """Report a 0601 case, verify and file it; the disposal unit its 派遣 task is suggested to go to."""
    body = {"subtype_code": "0601", "description": "暴露垃圾", **POINT, "channel": "hotline",
            "external_id": f"e2e-{uuid.uuid4().hex}"}
    case_no = _api(base, "POST", "/cases", body, _token(base, "seat01"))["case_no"]
    _step(base, _token(base, "collector001"), case_no, "verify_report", {"verification": {"found": True}})
    _step(base, _token(base, "shiftlead01"), case_no, "file_or_void", {"filing": {"decision": "file"}})
    dispatcher = _token(base, "dispatcher01")
    task = next(t for t in _api(base, "GET", f"/tasks?case_no={case_no}", token=dispatcher)["tasks"]
                if t["bpmn_id"] == "confirm_dispatch")
    return str(_api(base, "GET", f"/tasks/{task['id']}", token=dispatcher)["data"]["disposal_unit"])


def test_an_admin_adds_a_department_moves_routing_to_it_and_disables_a_user(browser: Any, city_server: str) -> None:
    base = city_server
    assert _suggested_department(base) != "350602-S91"  # the street office or district department the rules name
    admin = sign_in(browser, base, "admin")
    admin.click("#nav-admin")
    admin.click("#admin-departments")
    form = admin.locator("#add-department")
    form.locator("input[name=code]").fill("350602-S91")
    form.locator("input[name=name_zh]").fill("芗城区环卫服务站")
    form.locator("input[name=name_en]").fill("Xiangcheng sanitation station")
    form.locator("select[name=level]").select_option("street")
    form.locator("input[name=district]").fill("350602")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state("networkidle")
    assert "/admin/departments/350602-S91" in admin.url and "芗城区环卫服务站" in admin.content()

    admin.goto(f"{base}/admin")
    admin.click("#admin-routing")
    assert admin.locator("#open-in-designer").count() == 1
    move = admin.locator("#move-routing")
    move.locator("select[name=subtype_code]").select_option("0601")
    move.locator("select[name=department]").select_option("350602-S91")
    move.locator("input[name=comment]").fill("pilot street station")
    move.locator("button[type=submit]").click()
    admin.wait_for_load_state("networkidle")
    assert admin.locator(".flash-success").count() == 1, admin.content()[:2000]
    assert admin.locator("#routing-0601 code").all_inner_texts() == ["350602-S91"]
    assert "pilot street station" in admin.locator(".admin-changes").inner_text()
    assert _suggested_department(base) == "350602-S91"
    admin.click("#open-in-designer")  # the deployed rules, in the DMN editor
    admin.wait_for_load_state("networkidle")  # the designer loads its sources, drafts and versions too
    expect(admin.locator("#file-name")).to_have_text("responsibility.dmn", timeout=20_000)
    expect(admin.locator("#canvas .dmn-decision-table-container, #canvas .dmn-drd-container").first).to_be_visible()

    admin.goto(f"{base}/admin/users?q=seat09")
    admin.click("#user-seat09 a")
    admin.click("#disable-user")
    admin.wait_for_load_state("networkidle")
    assert admin.locator("#user-disabled").count() == 1
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "seat09")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" in page.url
