"""The assessment's managers' pages on both databases (考评): the rounds list with the start form for those who may
start a round, one round's progress, the rankings page (level tabs, the table in rank order, the map's API, the
trend chart), the printable report, and who is refused (403) or told nothing is there (404); the command line's
rankings and report."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from api_support import Api
from assessment_rounds_api_support import gridcase
from assessment_support import DEMO
from assessment_views_support import obj, registry, result, scored_round
from pages_support import Browser

from engine.persistence.assessment_records import AssessmentInspectionRecord

FIRST, SECOND = DEMO.first, DEMO.second


def test_rankings_page_shows_tabs_ranked_rows_map_and_trend(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    a, b, c = (obj(db, "garbage_sorting", place, name) for place, name in (
        (FIRST, "页面甲"), (SECOND, "页面乙"), (FIRST, "页面丙")))
    scored_round(db, "garbage_sorting", "2033-01", ids["garbage_sorting"], {a[1]: 70.0, b[1]: 90.0})
    scored_round(db, "garbage_sorting", "2033-02", ids["garbage_sorting"], {a[1]: 88.0, b[1]: 92.5, c[1]: None})
    browser = Browser(api, "shiftlead01")

    page = browser.get("/assessment/rankings?scheme=garbage_sorting&period=2033-02&level=object")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert [m for m in re.findall(r'role="tab" data-level="(\w+)"', html)] == ["object", "street", "district",
                                                                              "company"]
    order = re.findall(r'<tr data-code="([^"]+)"', html)
    assert order == [b[0], a[0], c[0]]  # 92.5, 88.0, not inspected last
    assert "/api/v1/assessment/map?scheme=garbage_sorting&amp;period=2033-02" in html
    assert 'id="trend-chart"' in html and html.count("<polyline") == 1  # the overall line

    district = browser.get(f"/assessment/rankings?scheme=garbage_sorting&period=2033-02&level=district"
                           f"&code={FIRST.district}").text
    assert re.findall(r'<tr data-code="(\d+)"', district) == [SECOND.district, FIRST.district]
    assert district.count("<polyline") == 2  # the overall line and the chosen district's
    assert 'id="no-round"' in browser.get("/assessment/rankings?scheme=garbage_sorting&period=2039-09").text
    assert browser.get("/assessment/rankings?scheme=nope").status_code == 400


def test_report_page_prints_totals_and_items(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    inspections = scored_round(db, "garbage_sorting", "2033-05", ids["garbage_sorting"],
                               {ids["GS-COM-1"]: (70.0, 1, "rectifying"), ids["GS-CP-1"]: 90.0})
    result(db, inspections[ids["GS-COM-1"]], 0, "GS01", "fail", 30.0, rectification=True)
    page = Browser(api, "auditor01").get("/assessment/report?scheme=garbage_sorting&period=2033-05")
    assert page.status_code == 200, page.text[:300]
    totals = dict(re.findall(r'data-total="(\w+)">([^<]*)<', page.text))
    assert (totals["objects"], totals["inspected"], totals["average"], totals["pass_rate"], totals["opened"]) == (
        "2", "2", "80.0", "50.0", "1")
    assert 'data-item="GS01"' in page.text and 'id="print-report"' in page.text
    assert Browser(api, "auditor01").get("/assessment/report?scheme=property&period=2039-Q1").status_code == 404


def test_rounds_list_round_page_and_who_sees_them(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    inspections = scored_round(db, "property", "2033-Q3", ids["property"], {ids["PR-CMP-1"]: 75.0,
                                                                             ids["PR-CMP-2"]: None})
    with db.begin() as conn:  # PR-CMP-2's inspection past due now
        conn.execute(sa.update(AssessmentInspectionRecord).where(
            AssessmentInspectionRecord.id == inspections[ids["PR-CMP-2"]]).values(
            due_at=datetime(2020, 1, 1, tzinfo=UTC)))
    lead = Browser(api, "shiftlead01")
    page = lead.get("/assessment")
    assert page.status_code == 200 and 'id="start-round"' in page.text and 'id="nav-assessment"' in page.text
    found = re.search(r'<tr data-round="(\d+)" data-scheme="property" data-period="2033-Q3"', page.text)
    assert found, page.text[:500]
    auditor = Browser(api, "auditor01")
    assert 'id="start-round"' not in auditor.get("/assessment").text  # reads, may not start a round
    round_page = auditor.get(f"/assessment/rounds/{found.group(1)}")
    assert round_page.status_code == 200
    counts = dict(re.findall(r'data-count="(\w+)">([^<]*)<', round_page.text))
    assert (counts["objects"], counts["inspected"], counts["pending"]) == ("2", "1", "2")  # no case started for them
    overdue = re.findall(r'<tr data-overdue="(\w+)">.*?</td>\s*<td>([^<]*)</td><td>([^<]*)</td>', round_page.text)
    assert overdue == [("open", "待检查", "龙文区")]  # past due, not inspected: its state, its district's name
    assert auditor.get("/assessment/rounds/2147483000").status_code == 404
    collector = Browser(api, "collector001")
    assert collector.get("/assessment").status_code == 403
    assert collector.get("/assessment/rankings?scheme=property").status_code == 403
    assert 'id="nav-assessment"' not in collector.get("/").text


def test_the_command_line_prints_the_ranking_and_the_report(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    a, b = obj(db, "property", FIRST, "命令行甲苑"), obj(db, "property", SECOND, "命令行乙苑")
    scored_round(db, "property", "2034-Q1", ids["property"], {a[1]: 91.0, b[1]: 91.0})
    ranked = gridcase(api.url, "rankings", "--scheme", "property", "--period", "2034-Q1", "--json")
    assert ranked.returncode == 0, ranked.stderr
    assert [(r["code"], r["rank"]) for r in json.loads(ranked.stdout)["rows"]] == sorted([(a[0], 1), (b[0], 1)])
    text = gridcase(api.url, "rankings", "--scheme", "property", "--period", "2034-Q1", "--level", "district")
    assert text.returncode == 0 and FIRST.district in text.stdout, text.stderr
    report = gridcase(api.url, "report", "--scheme", "property", "--period", "2034-Q1")
    assert report.returncode == 0 and "average 91" in report.stdout, report.stderr
    missing = gridcase(api.url, "report", "--scheme", "property", "--period", "2039-Q4")
    assert missing.returncode == 2 and "period" in missing.stderr
    bad = gridcase(api.url, "rankings", "--scheme", "property", "--period", "2034-13")
    assert bad.returncode == 2 and "period" in bad.stderr


def test_the_inspection_page_is_the_group_s_and_the_readers(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    inspections = scored_round(db, "garbage_sorting", "2034-07", ids["garbage_sorting"], {ids["GS-TS-1"]: 85.0})
    inspection = inspections[ids["GS-TS-1"]]
    result(db, inspection, 0, "GS04", "fail", 15.0, rectification=True)
    page = Browser(api, "auditor01").get(f"/assessment/inspections/{inspection}")
    assert page.status_code == 200, page.text[:300]
    assert 'id="inspect"' not in page.text and 'data-item="GS04" data-visit="0"' in page.text  # read only
    assert 'data-score="85.0"' in page.text
    assert Browser(api, "collector001").get(f"/assessment/inspections/{inspection}").status_code == 404  # not theirs
    assert Browser(api, "auditor01").get("/assessment/inspections/2147483000").status_code == 404
    assert Browser(api, "auditor01").get("/assessment-tasks/no-such-task").status_code == 404
