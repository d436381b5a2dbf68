"""Who of the department members reads the assessments (考评) on both databases: the members of the city's managing
departments (the city package's assessment.json: C06 环境卫生管理处 and C27 物业管理服务中心 in the demo city) read the
rankings, trends, map, report, rounds and credit files and see the 考评 link; any other department's member is
refused (403) and sees no link; a city without the file lets no department member read them; the export gives the
file back."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from api_support import ROOT, Api, error_of
from assessment_support import DEMO
from assessment_views_support import obj, registry, scored_round
from pages_support import Browser

from city.package.export import export_package
from city.persistence.read.assessment_rankings import managing_departments

PERIOD = "2037-04"
ROUTES = [f"/assessment/rankings?scheme=garbage_sorting&period={PERIOD}",
          f"/assessment/report?scheme=garbage_sorting&period={PERIOD}", "/assessment/rounds",
          f"/assessment/map?scheme=garbage_sorting&period={PERIOD}",
          f"/assessment/trends?scheme=garbage_sorting&until={PERIOD}", "/property/companies"]
PAGES = ["/assessment", f"/assessment/rankings?scheme=garbage_sorting&period={PERIOD}",
         f"/assessment/report?scheme=garbage_sorting&period={PERIOD}"]


def _round(api: Api) -> None:
    db, ids = api.deps.db, registry(api.deps.db)
    made = obj(db, "garbage_sorting", DEMO.first, "读者小区")
    scored_round(db, "garbage_sorting", PERIOD, ids["garbage_sorting"], {made[1]: 88.0})


def test_only_the_managing_departments_members_read_assessments(api: Api) -> None:
    _round(api)
    for outsider in ("dept_c01_01", "dept_c03_01"):
        for route in ROUTES:
            error_of(api.get(route, outsider), 403)
        browser = Browser(api, outsider)
        for page in PAGES:
            assert browser.get(page).status_code == 403, (outsider, page)
        assert 'id="nav-assessment"' not in browser.get("/").text
    for reader in ("dept_c06_01", "dept_c27_01", "shiftlead01", "auditor01", "admin"):
        for route in ROUTES:
            assert api.get(route, reader).status_code == 200, (reader, route)
        browser = Browser(api, reader)
        assert all(browser.get(page).status_code == 200 for page in PAGES), reader
        assert 'id="nav-assessment"' in browser.get("/assessment").text
    with api.deps.uow(read_only=True) as uow:
        assert managing_departments(uow.store) == {"C06", "C27"}  # the demo city's assessment.json


def test_a_city_without_the_file_lets_no_department_member_read_assessments(api: Api) -> None:
    with api.deps.db.begin() as conn:
        kept = conn.execute(sa.text("SELECT data FROM package_extras WHERE kind = 'assessment'")).scalar_one()
        conn.execute(sa.text("DELETE FROM package_extras WHERE kind = 'assessment'"))
    try:
        for callback in api.deps.on_city_loaded:  # as a city load does: the scope is read again
            callback()
        for member in ("dept_c06_01", "dept_c27_01"):
            error_of(api.get("/assessment/rounds", member), 403)
        assert api.get("/assessment/rounds", "shiftlead01").status_code == 200
    finally:
        with api.deps.db.begin() as conn:
            conn.execute(sa.text("INSERT INTO package_extras (kind, code, data) VALUES ('assessment', 'city', :d)"),
                         {"d": kept})
        for callback in api.deps.on_city_loaded:
            callback()
    assert api.get("/assessment/rounds", "dept_c06_01").status_code == 200


def test_the_city_export_gives_the_assessment_settings_back(api: Api, tmp_path: Path) -> None:
    source = json.loads((ROOT / "config" / "city" / "zhangzhou" / "assessment.json").read_text("utf-8"))
    export_package(api.deps, tmp_path / "city")
    assert json.loads((tmp_path / "city" / "assessment.json").read_text("utf-8")) == source
