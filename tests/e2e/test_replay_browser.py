"""An auditor replays a closed, reworked (返工) case in a real browser (Debian's Chromium): finds it with the
finder's filter, steps through it with the buttons, the keyboard and the scrubber, plays it, sees the rework
loop highlighted with a count badge of 2 on the disposal and the on-site check, opens a shared #step=N link and
a step from the case page's timeline, and verifies the case."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from typing import Any

from browser_support import sign_in

DEPT = "dept_350602s07_01"
DISPOSED = {"disposal": {"outcome": "disposed", "result": "已清运"}}


class Client:
    """The REST API of the running server, as demo users with bearer tokens."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.tokens: dict[str, str] = {}

    def call(self, method: str, path: str, user: str | None, body: Any = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def token(self, user: str) -> str:
        if user not in self.tokens:
            self.tokens[user] = self.call("POST", "/auth/token", None,
                                          {"username": user, "password": "gridcase-demo"})["token"]
        return self.tokens[user]

    def step(self, case_no: str, bpmn_id: str, user: str, data: dict[str, Any]) -> None:
        deadline = time.monotonic() + 20  # after a notify step (返工) the task comes once the scheduler sent it
        while not (found := [t for t in self.call("GET", f"/tasks?case_no={case_no}", user)["tasks"]
                             if t["bpmn_id"] == bpmn_id]) and time.monotonic() < deadline:
            time.sleep(0.2)
        (task,) = found
        self.call("POST", f"/tasks/{task['id']}/complete", user, {"data": data})


def reworked_case(base: str) -> str:
    """Reported, verified, filed, dispatched, disposed, failed at the on-site check, disposed again, closed."""
    api = Client(base)
    case_no = str(api.call("POST", "/cases", "seat01", {"subtype_code": "0601", "description": "人行道暴露垃圾",
                                                         "lat": 24.51, "lon": 117.65, "channel": "hotline"})["case_no"])
    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True}})
    api.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    api.step(case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})
    for passed in (False, True):
        api.step(case_no, "dispose_problem", DEPT, DISPOSED)
        api.step(case_no, "check_on_site", "collector001", {"check": {"passed": passed, "note": "仍有残留"}})
    api.step(case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})
    return case_no


def step_of(page: Any) -> int:
    return int(page.locator("#step-seq").inner_text())


def wait_step(page: Any, seq: int) -> None:
    """Wait until the diagram shows step ``seq`` (selectors only: the pages' CSP forbids evaluated strings)."""
    page.wait_for_selector(f"#replay-diagram[data-step='{seq}']", timeout=15000)
    assert step_of(page) == seq and page.url.endswith(f"#step={seq}")


def badge(page: Any, element: str) -> str:
    return str(page.locator(f'.replay-count[data-element="{element}"]').inner_text())


def test_an_auditor_steps_through_a_reworked_case_and_verifies_it(browser: Any, city_server: str) -> None:
    base = city_server
    case_no = reworked_case(base)
    page = sign_in(browser, base, "auditor01")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.click("header.site nav a[href='/audit']")
    page.check("input[name=reworked]")
    page.click("form.audit-filters button[type=submit]")
    page.click(f"a.replay[href='/audit/cases/{case_no}']")
    page.wait_for_selector("#replay[data-ready=true]", timeout=15000)
    page.wait_for_selector("#replay-diagram[data-ready=true]", timeout=15000)
    last = page.locator("#replay-timeline li").count()
    assert last >= 30
    wait_step(page, 1)
    assert page.locator("#step-kind").inner_text().strip() == "人员"
    # the request that wrote the step (no X-Request-ID was sent: the server's own id, as in its log lines)
    assert re.fullmatch(r"[0-9a-f]{32}", page.locator("#step-request").inner_text().strip())

    page.click("#step-forward")
    wait_step(page, 2)
    assert page.locator(".djs-element.replay-active[data-element-id=verify_report]").count() == 1
    page.locator("h1").click()  # the keyboard, with the focus on the page
    for key, seq in (("ArrowRight", 3), ("ArrowRight", 4), ("ArrowLeft", 3), ("End", last), ("Home", 1)):
        page.keyboard.press(key)
        wait_step(page, seq)
    page.click("#step-last")
    wait_step(page, last)
    assert badge(page, "check_on_site") == "×2" and badge(page, "disposal_stage") == "×2"
    assert page.locator(".djs-element.replay-repeated[data-element-id=check_on_site]").count() == 1
    assert page.locator(".djs-element.replay-done[data-element-id=close_case]").count() == 1
    page.click("#step-back")
    wait_step(page, last - 1)

    page.locator("#step-scrubber").fill("10")
    wait_step(page, 10)
    assert page.locator("#replay-timeline li.current").get_attribute("data-seq") == "10"
    page.select_option("#step-speed", "4")
    page.locator("h1").click()
    page.keyboard.press(" ")
    page.wait_for_selector("#replay[data-playing=true]")
    for _ in range(100):  # 4×: a step every 250 ms
        if step_of(page) >= 12:
            break
        page.wait_for_timeout(100)
    assert step_of(page) >= 12
    page.keyboard.press(" ")
    assert page.locator("#replay").get_attribute("data-playing") == "false"

    page.click("#verify")
    page.wait_for_selector("#verify-result[data-state=verified]", timeout=30000)
    assert "已验证" in page.locator("#verify-result").inner_text()
    assert errors == []


def test_a_shared_step_link_and_the_case_pages_timeline_open_that_step(browser: Any, city_server: str) -> None:
    base = city_server
    case_no = reworked_case(base)
    page = sign_in(browser, base, "auditor01")
    page.goto(f"{base}/audit/cases/{case_no}#step=20")
    page.wait_for_selector("#replay[data-ready=true]", timeout=15000)
    wait_step(page, 20)
    assert page.locator("#replay-timeline li.current").get_attribute("data-seq") == "20"
    page.click("#replay-timeline li[data-seq='5'] a")
    wait_step(page, 5)
    page.goto(f"{base}/cases/{case_no}")
    page.click("a.replay-link[href$='#step=7']")
    page.wait_for_selector("#replay[data-ready=true]", timeout=15000)
    wait_step(page, 7)
    english = sign_in(browser, base, "admin")
    english.goto(f"{base}/audit/cases/{case_no}?lang=en#step=3")
    english.wait_for_selector("#replay[data-ready=true]", timeout=15000)
    wait_step(english, 3)
    english.click("#verify")
    english.wait_for_selector("#verify-result[data-state=verified]", timeout=30000)
    assert "Verified" in english.locator("#verify-result").inner_text()
