"""Supervisor controls in a real browser (Debian's Chromium): a supervisor opens a case whose 立案 task a shift lead
holds, follows 改派 / 强制释放, reassigns it to another shift lead with a reason, then issues a 督办 on a dispatched
case from its page — the start form comes filled with the case and its department — and sees it listed there."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

from browser_support import PASSWORD, sign_in

POINT = {"lat": 24.51, "lon": 117.65}  # in district 350602
DEPARTMENT = "350602-S07"  # the street office (石亭街道) disposes 0601 暴露垃圾 there


class Client:
    """The API as one demo person."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.token = self.call("POST", "/auth/token", {"username": username, "password": PASSWORD})["token"]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def task(self, case_no: str, bpmn_id: str) -> dict[str, Any]:
        found = [t for t in self.call("GET", f"/tasks?case_no={case_no}")["tasks"] if t["bpmn_id"] == bpmn_id]
        assert len(found) == 1, found
        return dict(found[0])

    def step(self, case_no: str, bpmn_id: str, data: dict[str, Any]) -> None:
        self.call("POST", f"/tasks/{self.task(case_no, bpmn_id)['id']}/complete", {"data": data})


def new_case(base: str) -> str:
    body = {"subtype_code": "0601", "description": "暴露垃圾", **POINT, "channel": "hotline",
            "external_id": f"e2e-{uuid.uuid4().hex}"}
    return str(Client(base, "seat01").call("POST", "/cases", body)["case_no"])


def test_a_supervisor_reassigns_a_task_and_issues_a_supervision(browser: Any, city_server: str) -> None:
    base = city_server
    case_no = new_case(base)
    Client(base, "collector001").step(case_no, "verify_report", {"verification": {"found": True}})
    lead = Client(base, "shiftlead01")
    filing = lead.task(case_no, "file_or_void")
    lead.call("POST", f"/tasks/{filing['id']}/claim")

    supervisor = sign_in(browser, base, "supervisor01")
    supervisor.goto(f"{base}/cases/{case_no}")
    supervisor.locator(".supervision .claimed-task a.button").click()
    supervisor.wait_for_load_state("networkidle")
    assert "shiftlead01" in supervisor.locator(".holder").inner_text()
    supervisor.locator("form.supervise-reassign select[name=to]").select_option("shiftlead02")
    supervisor.locator("form.supervise-reassign textarea[name=reason]").fill("交接班")
    supervisor.locator("form.supervise-reassign button[type=submit]").click()
    supervisor.wait_for_load_state("networkidle")
    assert f"/cases/{case_no}" in supervisor.url, supervisor.content()[:2000]
    assert "shiftlead02" in supervisor.locator(".flash").first.inner_text()
    assert lead.call("GET", f"/tasks/{filing['id']}")["assignee"] == "shiftlead02"

    dispatched = new_case(base)
    Client(base, "collector001").step(dispatched, "verify_report", {"verification": {"found": True}})
    lead.step(dispatched, "file_or_void", {"filing": {"decision": "file"}})
    Client(base, "dispatcher01").step(dispatched, "confirm_dispatch", {"dispatch": {}})
    supervisor.goto(f"{base}/cases/{dispatched}")
    supervisor.locator(".supervision a.button.primary").click()
    supervisor.wait_for_load_state("networkidle")
    form = supervisor.locator("#start-case_supervision")
    assert form.locator('[name="case_no"]').input_value() == dispatched
    assert form.locator('[name="department"]').input_value() == DEPARTMENT
    form.locator('[name="instruction"]').fill("今日内清运并回复")
    form.locator('[name="reply_within.amount"]').fill("2")
    form.locator('[name="reply_within.unit"]').select_option("working_hours")
    form.locator("button[type=submit]").click()
    supervisor.wait_for_load_state("networkidle")
    assert "/cases/" in supervisor.url and dispatched not in supervisor.url, supervisor.content()[:2000]
    supervisor.goto(f"{base}/cases/{dispatched}")
    row = supervisor.locator(".supervision tr.supervision-row")
    assert row.count() == 1 and "今日内清运并回复" in row.inner_text()
