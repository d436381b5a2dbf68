"""A case worked through the pages in a real browser (Debian's Chromium), each step by a different person;
a department cannot see another department's task; a form error shows next to its field; the case page
draws the grid map and the BPMN diagram with where the case is."""

from __future__ import annotations

from typing import Any

from browser_support import sign_in


def open_task(page: Any, base: str, landing: str, case_no: str, step: str) -> None:
    """From the person's work list, open the case's task whose step name contains ``step``."""
    page.goto(f"{base}{landing}?case_no={case_no}")
    row = page.locator("tr.task-row", has_text=step).first
    row.locator("a.button.primary").click()
    page.wait_for_load_state("networkidle")


def submit(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.click("form[method=post] button[type=submit].primary")
    page.wait_for_load_state("networkidle")


def report_case(browser: Any, base: str) -> str:
    seat = sign_in(browser, base, "seat01")
    seat.goto(f"{base}/report/new")
    seat.select_option("#channel", "hotline")
    seat.select_option("#subtype_code", "0601")
    seat.fill("#lon", "117.65")
    seat.fill("#lat", "24.51")
    seat.fill("#description", "人行道上有暴露垃圾 <script>alert(1)</script>")
    seat.click("form[method=post] button[type=submit].primary")
    seat.wait_for_load_state("networkidle")
    assert "/cases/" in seat.url
    assert "<script>alert(1)</script>" in seat.locator(".description").first.inner_text()
    return str(seat.url.rstrip("/").rsplit("/", 1)[-1])


def test_a_case_walks_through_the_pages_by_six_people(browser: Any, city_server: str) -> None:
    base = city_server
    case_no = report_case(browser, base)
    collector = sign_in(browser, base, "collector001")
    open_task(collector, base, "/collector", case_no, "核实")
    submit(collector, {"verification.found": "true", "verification.note": "现场确认"})
    lead = sign_in(browser, base, "shiftlead01")
    open_task(lead, base, "/inbox", case_no, "立案")
    submit(lead, {"filing.decision": "file"})
    dispatcher = sign_in(browser, base, "dispatcher01")
    open_task(dispatcher, base, "/inbox", case_no, "派遣")
    submit(dispatcher, {})
    department = sign_in(browser, base, "dept_350602s07_01")
    department.goto(f"{base}/queue?case_no={case_no}")
    department.locator("tr.task-row button.claim").first.click()
    department.wait_for_selector("tr.task-row button.unclaim")
    open_task(department, base, "/queue", case_no, "处置")
    submit(department, {"disposal.outcome": "disposed", "disposal.result": "已清运"})
    open_task(collector, base, "/collector", case_no, "核查")
    submit(collector, {"check.passed": "true"})
    open_task(lead, base, "/inbox", case_no, "结案")
    submit(lead, {"closing.close_type": "normal"})
    auditor = sign_in(browser, base, "auditor01")
    auditor.goto(f"{base}/cases/{case_no}")
    events = auditor.locator("ol.timeline li").count()
    assert events >= 14
    assert auditor.locator("a[href^='/api/v1'], .evidence").count() >= 1


def test_another_department_cannot_see_the_task_and_errors_sit_next_to_their_field(browser: Any,
                                                                                      city_server: str) -> None:
    base = city_server
    case_no = report_case(browser, base)
    collector = sign_in(browser, base, "collector001")
    open_task(collector, base, "/collector", case_no, "核实")
    task_url = collector.url
    submit(collector, {"verification.note": "没有选择是否发现"})
    error = collector.locator('.field-error[data-field="verification.found"]')
    assert error.is_visible() and error.inner_text().strip()
    other = sign_in(browser, base, "dept_c01_01")
    response = other.goto(task_url)
    assert response is not None and response.status == 404
    other.goto(f"{base}/queue?case_no={case_no}")
    assert other.locator("tr.task-row").count() == 0


def test_the_case_page_draws_the_grid_map_and_the_diagram(browser: Any, city_server: str) -> None:
    base = city_server
    case_no = report_case(browser, base)
    page = sign_in(browser, base, "shiftlead01")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}/cases/{case_no}")
    page.wait_for_selector("#case-diagram[data-ready=true]", timeout=15000)
    assert page.locator("#case-diagram .djs-element.active").count() >= 1  # verify_report is where the case is
    page.wait_for_selector("#case-map.leaflet-container path", timeout=15000)
    assert errors == []
