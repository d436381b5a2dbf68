"""City packages on SQLite and PostgreSQL: the test city Lakeside (America/Chicago, projected source files) loads as
one unit of work with a change report, routes and numbers its cases in its own time zone, round-trips through
export, and a package refused late leaves the old city whole."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from city_package_support import CHICAGO, LAKESIDE
from city_package_support import load_package as _load
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.commands import ReportProblem
from city.package.export import export_package
from city.package.format import PackageError
from city.package.profile import install
from engine.domain.city_zone import city_zone
from engine.domain.clock import FakeClock
from engine.domain.errors import GridcaseError
from engine.domain.periods import parse_period
from engine.domain.summary import case_no
from engine.service.bus import MessageBus

Sql = Callable[..., list[sa.Row]]




def _lakeside(db: Engine, clock: FakeClock) -> tuple[MessageBus, dict[str, Any]]:
    bus = bootstrap(db, clock)
    install(bus)
    return bus, _load(bus)


def test_lakeside_loads_whole_with_a_change_report(db: Engine, sql: Sql) -> None:
    bus, result = _lakeside(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    changes = result["changes"]
    assert result["version"] == 1 and "case_lifecycle v1" in result["deployed"]
    assert {kind: changes[kind]["added"] for kind in ("districts", "resp_grids", "unit_grids", "streets", "aspects",
                                                       "subtypes", "departments", "channels", "users")} == {
        "districts": 2, "resp_grids": 4, "unit_grids": 16, "streets": 2, "aspects": 2, "subtypes": 4,
        "departments": 6, "channels": 4, "users": 13}
    assert changes["streets"]["names"]["added"] == ["NS", "SL"]
    assert changes["profile"]["time_zone"] == [None, "America/Chicago"]
    assert city_zone().key == "America/Chicago"
    profile = sql("SELECT name, time_zone, locale, calendar, loaded_by, version FROM city_profiles")
    assert [tuple(p) for p in profile] == [("Lakeside", "America/Chicago", "en", "us", "admin1", 1)]
    assert {(r.code, r.street_code) for r in sql("SELECT code, street_code FROM resp_grids")} == {
        ("B11", "NS"), ("B12", "NS"), ("B21", "SL"), ("B22", "SL")}
    assert [(r.code, r.urgent) for r in sql("SELECT code, urgent FROM channels ORDER BY position")] == [
        ("311", False), ("app", False), ("inspector", False), ("alderman", True)]
    assert {r.code: r.national_code for r in sql("SELECT code, national_code FROM subtypes")} == {
        "0101": "0101", "0102": None, "0601": "0601", "0602": None}
    (dmn,) = sql("SELECT sources FROM process_versions WHERE process_id = 'case_lifecycle'")
    assert "W1-D01" in dmn.sources  # the city's own responsibility rules, naming its departments
    (kept,) = sql("SELECT key, action, actor, comment FROM admin_changes WHERE kind = 'city_package'")
    assert (kept.key, kept.action, kept.actor, kept.comment) == ("city", "load", "admin1", str(LAKESIDE))

    again = _load(bus)  # the same package again: nothing changes but the profile's version
    assert again["version"] == 2 and again["deployed"] == [] and again["duty_versions_added"] == 0
    assert all(c["added"] == c["changed"] == c["removed"] == 0 for k, c in again["changes"].items() if k != "profile")


def test_a_case_at_2330_on_the_last_day_of_a_month_belongs_to_that_day_in_the_city_zone(db: Engine, sql: Sql) -> None:
    evening = datetime(2026, 10, 31, 23, 30, tzinfo=CHICAGO)  # in Shanghai it is already 1 November, 12:30
    bus, _ = _lakeside(db, FakeClock(evening))
    ref = bus.handle(ReportProblem("0601", "Garbage on the curb", -87.6597, 41.8673, "311", "seat1"))
    (case,) = sql("SELECT started_at FROM cases WHERE id = :i", i=ref.case_id)
    started = case.started_at if isinstance(case.started_at, datetime) else datetime.fromisoformat(case.started_at)
    started = started if started.tzinfo else started.replace(tzinfo=ZoneInfo("UTC"))
    assert case_no(ref.case_id, started).startswith("20261031")
    (facts,) = sql("SELECT month, day, channel, district FROM case_facts WHERE case_id = :i", i=ref.case_id)
    assert (facts.month, facts.day, facts.channel, facts.district) == ("2026-10", "2026-10-31", "311", "W1")
    period = parse_period("2026-10")
    assert period.start == datetime(2026, 10, 1, tzinfo=CHICAGO) and period.as_of(evening) == evening
    assert period.months == ("2026-10", "2026-10")
    from web.api.kpi import this_month
    from web.pages.labels import local_time

    assert this_month(evening) == "2026-10" and local_time(evening.astimezone(ZoneInfo("UTC"))) == "2026-10-31 23:30"
    with pytest.raises(GridcaseError) as refused:  # a channel the city does not have
        bus.handle(ReportProblem("0601", "Garbage", -87.6597, 41.8673, "hotline", "seat1"))
    assert "311, app, inspector, alderman" in str(getattr(refused.value, "fields", refused.value))


def test_the_package_round_trips_through_export(db: Engine, sql: Sql, tmp_path: Path) -> None:
    bus, _ = _lakeside(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    before = {t: sorted(tuple(r) for r in sql(f"SELECT * FROM {t}"))
              for t in ("districts", "resp_grids", "streets", "subtypes", "departments", "channels", "users")}
    counts = export_package(bus.deps, tmp_path / "out")
    assert counts["unit_grids"] == 16 and counts["rules"] >= 3 and counts["duty_versions"] == 1
    assert (tmp_path / "out" / "calendar" / "us.json").read_text("utf-8") == (
        LAKESIDE / "calendar" / "us.json").read_text("utf-8")  # the profile's holiday table, as loaded
    with pytest.raises(PackageError, match="not an empty folder"):  # never mixed with, or over, other files
        export_package(bus.deps, tmp_path / "out")
    for name, kinds in (("departments.json", ("districts", "departments")), ("categories.json", ("subtypes",))):
        given, exported = (json.loads((f / name).read_text("utf-8")) for f in (LAKESIDE, tmp_path / "out"))
        for kind in kinds:  # department aspects, English major class names and district names come back as given
            keys = {"aspects", "major_name_en", "name_zh", "name_en"}
            assert {i["code"]: {k: v for k, v in i.items() if k in keys} for i in exported[kind]} == {
                i["code"]: {k: v for k, v in i.items() if k in keys} for i in given[kind]}, (name, kind)
    result = _load(bus, tmp_path / "out")
    assert result["deployed"] == [] and result["duty_versions_added"] == 0
    assert all(c["added"] == c["changed"] == c["removed"] == 0 for k, c in result["changes"].items() if k != "profile")
    after = {t: sorted(tuple(r) for r in sql(f"SELECT * FROM {t}")) for t in before}
    assert after == before


def test_a_package_refused_late_leaves_the_old_city_whole(db: Engine, sql: Sql, tmp_path: Path) -> None:
    bus, _ = _lakeside(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    broken = tmp_path / "broken"
    shutil.copytree(LAKESIDE, broken)
    streets = (broken / "streets.json").read_text("utf-8").replace("North Shore", "Gold Coast")
    (broken / "streets.json").write_text(streets, "utf-8")
    (broken / "city.json").write_text((broken / "city.json").read_text("utf-8").replace('"Lakeside"', '"Other"'))
    rules = broken / "rules" / "responsibility.dmn"  # parses as a file, fails at the deploy: the last write
    rules.write_text(rules.read_text("utf-8").replace('hitPolicy="UNIQUE"', 'hitPolicy="NOT_A_POLICY"'), "utf-8")
    with pytest.raises(GridcaseError):
        _load(bus, broken)
    assert [r.name for r in sql("SELECT name FROM streets ORDER BY code")] == ["North Shore", "South Loop"]
    assert [(r.name, r.version) for r in sql("SELECT name, version FROM city_profiles")] == [("Lakeside", 1)]
    assert len(sql("SELECT number FROM process_versions WHERE process_id = 'case_lifecycle'")) == 1


def test_a_department_with_open_tasks_cannot_be_dropped(db: Engine, sql: Sql, tmp_path: Path) -> None:
    bus, _ = _lakeside(db, FakeClock(datetime(2026, 10, 1, 9, 0, tzinfo=CHICAGO)))
    bus.handle(ReportProblem("0601", "Garbage", -87.6597, 41.8673, "311", "seat1"))
    with db.begin() as conn:  # its verification task stands for a task waiting in the ward's public works department
        conn.execute(sa.text("UPDATE human_tasks SET candidate_group = 'W2-D01' WHERE state = 'ready'"))
    smaller = tmp_path / "smaller"
    shutil.copytree(LAKESIDE, smaller)
    departments = (smaller / "departments.json").read_text("utf-8")
    start = departments.index('{\n   "code": "W2-D01"')
    end = departments.index("},", start) + 2
    (smaller / "departments.json").write_text(departments[:start] + departments[end:], "utf-8")
    users = (smaller / "users.json").read_text("utf-8")
    start = users.index('{\n   "username": "ward21"')
    end = users.index("},", start) + 2
    (smaller / "users.json").write_text(users[:start] + users[end:], "utf-8")
    rules = smaller / "rules"
    shutil.rmtree(rules)
    with pytest.raises(GridcaseError, match="department 'W2-D01' has open tasks"):
        _load(bus, smaller)
    assert len(sql("SELECT code FROM departments WHERE code = 'W2-D01'")) == 1
