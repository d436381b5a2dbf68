"""The KPI ranking in a real browser (Debian's Chromium): reached from the nav, it lists every department,
switches level with the picker, opens a department's dashboard, and breaks no content-security rule."""

from __future__ import annotations

from typing import Any

from browser_support import sign_in


def test_the_ranking_lists_every_department(browser: Any, city_server: str) -> None:
    page = sign_in(browser, city_server, "supervisor01")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.click("header nav >> text=考核排名")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/kpi")
    rows = page.locator("tr.kpi-row")  # ranked, then those without work in the period (listed apart, no rank)
    assert rows.count() == 80
    assert (page.locator("#kpi-ranking tbody tr.kpi-row").count()
            + page.locator("tr.kpi-row[data-ranked=no]").count()) == 80
    codes = rows.evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert len(set(codes)) == 80 and "C01" in codes and "350602-D02" in codes
    assert page.locator("#kpi-formulas").is_visible()
    assert page.locator("#kpi-formulas").inner_text().count("÷") >= 8
    page.select_option("select[name=level]", "street")
    page.click("form.kpi-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "level=street" in page.url and page.locator("tr.kpi-row").count() == 45
    page.goto(f"{city_server}/kpi?period=2026-10")
    page.locator("tr.kpi-row[data-code='350602-D02'] td.name a").click()
    page.wait_for_load_state("networkidle")
    assert "/kpi/departments/350602-D02" in page.url and page.locator("#kpi-rank").is_visible()
    assert page.locator("#kpi-department tr[data-key]").count() == 8
    assert not problems, problems  # nothing refused by the content security policy, no script errors


def test_a_department_member_sees_the_ranking_and_its_own_dashboard(browser: Any, city_server: str) -> None:
    page = sign_in(browser, city_server, "dept_350602d02_01")
    page.click("header nav >> text=考核排名")
    page.wait_for_load_state("networkidle")
    assert page.locator("tr.kpi-row").count() == 80
    assert page.locator("select[name=level] option").count() == 3  # department, district, street
    links = page.locator("td.name a")
    assert links.count() == 1 and "350602-D02" in links.first.inner_text()
