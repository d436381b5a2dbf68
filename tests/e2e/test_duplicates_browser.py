"""Duplicates at 立案 in a real browser (Debian's Chromium): two patrol reports 30 m apart; the shift lead opens the
second's 立案 task, sees the first among the possible duplicates, voids the second as its duplicate with one click,
and both case pages show the link (重复于 / 重复报告, and the original's two reports)."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

from browser_support import PASSWORD, sign_in

POINT = {"lat": 24.51, "lon": 117.65}  # in district 350602
NORTH_30_M = 30 / 111_320  # degrees of latitude


def api(base: str, username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One API call as a demo person (a fresh token each time: the test makes few calls)."""

    def call(token: str | None, method: str, path: str, body: dict[str, Any] | None) -> Any:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{base}/api/v1{path}", data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    token = call(None, "POST", "/auth/token", {"username": username, "password": PASSWORD})["token"]
    return call(token, method, path, body)


def patrol_report(base: str, north: float) -> str:
    """A patrol report (no 核实: it waits at 立案) ``north`` degrees north of the point; its number."""
    body = {"subtype_code": "0601", "description": "暴露垃圾", "lat": POINT["lat"] + north, "lon": POINT["lon"],
            "channel": "patrol", "external_id": f"e2e-{uuid.uuid4().hex}"}
    return str(api(base, "seat01", "POST", "/cases", body)["case_no"])


def test_the_second_report_is_voided_as_a_duplicate_of_the_first_in_one_click(browser: Any, city_server: str) -> None:
    base = city_server
    first = patrol_report(base, 0.0)
    second = patrol_report(base, NORTH_30_M)
    tasks = api(base, "shiftlead01", "GET", f"/tasks?case_no={second}")["tasks"]
    filing = next(t for t in tasks if t["bpmn_id"] == "file_or_void")

    lead = sign_in(browser, base, "shiftlead01")
    lead.goto(f"{base}/tasks/{filing['id']}")
    candidate = lead.locator(f"#duplicate-candidates tr.duplicate-candidate[data-case='{first}']")
    assert candidate.count() == 1, lead.content()[:2000]
    assert "30" in candidate.locator("td").nth(2).inner_text()  # metres away
    candidate.locator("button[type=submit]").click()
    lead.wait_for_load_state("networkidle")
    assert lead.url.endswith(f"/cases/{second}"), lead.url
    assert lead.locator(".case-links .duplicate-of a").inner_text() == first

    lead.goto(f"{base}/cases/{first}")
    assert lead.locator(".case-links .duplicates a").all_inner_texts() == [second]
    assert lead.locator(".case-links .reports").inner_text() == "2"
    assert api(base, "shiftlead01", "GET", f"/cases/{second}")["status"] == "completed"


def test_the_void_button_is_disabled_once_its_form_is_sent(browser: Any, city_server: str) -> None:
    base = city_server
    first = patrol_report(base, 0.01)  # about 1 km north of the other test's reports
    second = patrol_report(base, 0.01 + NORTH_30_M)
    tasks = api(base, "shiftlead01", "GET", f"/tasks?case_no={second}")["tasks"]
    filing = next(t for t in tasks if t["bpmn_id"] == "file_or_void")
    lead = sign_in(browser, base, "shiftlead01")
    lead.goto(f"{base}/tasks/{filing['id']}")
    form = f"#duplicate-candidates tr.duplicate-candidate[data-case='{first}'] form"
    assert lead.locator(form).count() == 1, lead.content()[:2000]
    # the form is sent but kept from leaving the page, to look at its button afterwards (web/static/js/app.js)
    disabled = lead.evaluate("""(selector) => new Promise((resolve) => {
        const form = document.querySelector(selector);
        form.addEventListener("submit", (event) => event.preventDefault());
        form.requestSubmit();
        setTimeout(() => resolve(form.querySelector("button[type=submit]").disabled), 100);
    })""", form)
    assert disabled is True
