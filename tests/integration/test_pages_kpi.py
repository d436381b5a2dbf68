"""The KPI pages and calls on the demo city (SQLite and PostgreSQL): every department in the ranking with
formulas, composite and rank, the level picker, bad input next to its field, a department's dashboard with
its open work by light, Chinese first with English, and who may see what."""

from __future__ import annotations

import re

from api_support import DEPARTMENT, Api
from pages_support import Browser


def test_the_ranking_lists_every_department_with_its_formulas(api: Api) -> None:
    page = Browser(api, "supervisor01").get("/kpi?period=2026-10")
    assert page.status_code == 200
    assert page.text.count('class="kpi-row"') == 80  # every demo department, with or without cases
    assert 'href="/kpi"' in page.text  # the nav link
    assert "处置数 ÷ 应处置数" in page.text and "disposed ÷ due for disposal" in page.text
    assert "综合指标值" in page.text and 'id="kpi-formulas"' in page.text
    assert f'href="/kpi/departments/{DEPARTMENT}?period=2026-10"' in page.text
    english = Browser(api, "supervisor01").get("/kpi?period=2026-10&lang=en")
    assert "KPI ranking" in english.text and "Composite score" in english.text and "Disposal rate" in english.text


def test_levels_and_bad_periods(api: Api) -> None:
    supervisor = Browser(api, "supervisor01")
    collectors = supervisor.get("/kpi?period=2026-10-01..2026-10-31&level=collector")
    assert collectors.status_code == 200 and collectors.text.count('class="kpi-row"') == 97
    assert "有效上报率" in collectors.text and "按时核实率" in collectors.text
    streets = supervisor.get("/kpi?period=2026-10&level=street")
    assert streets.text.count('class="kpi-row"') == 45
    bad = supervisor.get("/kpi?period=October")
    assert bad.status_code == 400 and 'data-field="period"' in bad.text
    assert supervisor.get("/kpi?level=city").status_code == 400


def test_the_department_dashboard_shows_open_work_by_light(api: Api) -> None:
    api.to_disposal(api.new_case())  # dispatched just now: green
    page = Browser(api, "dept_350602s07_01").get(f"/kpi/departments/{DEPARTMENT}")
    assert page.status_code == 200
    work = re.search(r'id="kpi-open-work">(.*?)</p>', page.text, re.S)
    assert work is not None and re.search(r"light-green[^<]*</span> ([1-9]\d*)", work.group(1))
    assert 'id="kpi-rank"' in page.text and "按期处置率" in page.text and 'data-key="overdue_open"' in page.text
    body = api.get(f"/kpi/departments/{DEPARTMENT}", "supervisor01").json
    assert body["open_work"]["green"] >= 1 and body["departments"] == 80 and body["department"]["code"] == DEPARTMENT


def test_who_may_see_what(api: Api) -> None:
    member = Browser(api, "dept_350602s07_01")
    assert member.get("/kpi").status_code == 200
    assert member.get("/kpi?level=collector").status_code == 403
    assert member.get("/kpi/departments/350602-D03").status_code == 404
    assert Browser(api, "collector001").get("/kpi").status_code == 403
    assert api.get("/kpi/ranking?level=dispatcher", "dept_350602s07_01").status_code == 403
    assert api.get("/kpi/departments/350602-D03", "dept_350602s07_01").status_code == 404
    assert api.get("/kpi/ranking", "dispatcher01").status_code == 403
    assert api.get("/kpi/ranking?level=dispatcher", "auditor01").status_code == 200
    for name in ("shiftlead01", "admin"):
        assert Browser(api, name).get(f"/kpi/departments/{DEPARTMENT}").status_code == 200


def test_api_errors_name_the_field(api: Api) -> None:
    bad = api.get("/kpi/ranking?period=2026-02-30..2026-03-01", "supervisor01")
    assert bad.status_code == 422 and "period" in bad.json["error"]["fields"]
    assert "level" in api.get("/kpi/ranking?level=city", "supervisor01").json["error"]["fields"]
    assert "extra" in api.get("/kpi/ranking?extra=1", "supervisor01").json["error"]["fields"]
    assert api.get("/kpi/departments/NOPE", "supervisor01").status_code == 404
    config = api.get("/kpi/config", "auditor01").json
    assert config["limits"]["verify"] == {"amount": 1.0, "unit": "working_hours"} and config["versions"] == []
