"""KPIs on SQLite and PostgreSQL: hand-made case facts (October 2025, city time) give hand-computed counts,
rates, composite scores and ranks at every level; the SQL agrees with the reference definitions on random
facts; ``kpi apply`` records versions the results name; the monthly report's CSV equals the API."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api_support import ROOT, Api
from sqlalchemy.engine import Engine

from city import commands as city_commands
from city.bootstrap import bootstrap
from city.facts.model import CaseFacts
from city.kpi.config import parse_config
from city.kpi.formulas import add_counts, department_counts, overdue_open, role_counts
from city.kpi.ranking import department_dashboard, ranking
from city.kpi.report import within
from city.kpi.versions import DEFAULT_FILE
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.domain.periods import parse_period
from engine.persistence.uow import command_scope
from engine.service.bus import MessageBus
from web.settings import Settings

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 12, 1, tzinfo=CST)
WT = Settings.from_env().working_time()


def t(day: int, hour: float = 9, month: int = 10) -> datetime:
    return datetime(2025, month, day, int(hour), round(hour % 1 * 60), tzinfo=CST)


def fact(no: str, dept: str | None, district: str, street: str, roles: dict[str, str] | None = None,
         **kw: Any) -> FactRow:
    counters = kw.pop("counters", {})
    base = {"reported_at": t(13), "channel": "hotline"}
    facts = CaseFacts(**{**base, **kw}, department=dept, district=district, resp_grid=street,  # type: ignore[arg-type]
                      unit_grid=f"{street}-u1", counters=counters)
    return FactRow(no, facts, source="history", roles=roles)


D1 = {"dept": "D1", "district": "350602", "street": "S1"}
D2 = {"dept": "D2", "district": "350603", "street": "S2"}
VOID = {"dept": None, "district": "350603", "street": "S2"}
CASES = [
    fact("a1", **D1, roles={"verifier": "colA", "dispatcher": "disp1", "checker": "colB"}, verified_at=t(13, 9.5),
         filed_at=t(13, 9 + 2 / 3), dispatched_at=t(13, 10), due_at=t(15, 10), disposed_at=t(14, 10),
         checked_at=t(14, 11), closed_at=t(14, 12), result="closed", close_type="normal", closed_on_time=True),
    fact("a2", **D1, roles={"dispatcher": "disp1", "checker": "colB"}, channel="patrol", reporter="colA",
         filed_at=t(13, 9 + 1 / 6), dispatched_at=t(13, 14), due_at=t(15, 10), disposed_at=t(16, 10),
         checked_at=t(16, 17), closed_at=t(17), result="closed", close_type="overdue", closed_on_time=False,
         counters={"reworks": 1, "extensions": 1, "returns": 1, "wrong_dispatches": 1}),
    fact("a3", **D1, roles={"dispatcher": "disp2"}, filed_at=t(13, 9 + 5 / 6), dispatched_at=t(13, 10),
         due_at=t(20, 10), disposed_at=t(18), counters={"suspensions": 1}),
    fact("a4", **D1, roles={"dispatcher": "disp2"}, filed_at=t(13, 9 + 5 / 6), dispatched_at=t(13, 10),
         due_at=t(14, 10)),
    fact("b1", **VOID, channel="patrol", reporter="colA", filed_at=t(13, 10), result="voided",
         void_reason="invalid"),
    fact("b2", **D2, roles={"dispatcher": "disp2"}, reported_at=t(31, 10), filed_at=t(31, 10.5),
         dispatched_at=t(31, 11), due_at=t(3, 10, 11)),
    fact("b3", **D2, reported_at=t(20, 9, 9), dispatched_at=t(20, 10, 9), due_at=t(25, 10, 9),
         disposed_at=t(2, 10, 11)),
    fact("b4", **D1, reported_at=t(1, 9, 11), dispatched_at=t(1, 10, 11), due_at=t(1, 11, 11)),
    fact("b5", **VOID, channel="census", reporter="colC", filed_at=t(13, 10), result="voided",
         void_reason="out_of_scope"),
]


def _city(db: Engine) -> None:
    with db.begin() as conn:
        for code in ("D1", "D2", "D3"):
            conn.exec_driver_sql("INSERT INTO departments (code, name_zh, name_en, level, district_code) VALUES"
                                 f" ('{code}', '部门{code}', 'Department {code}', 'district', NULL)")
        for code in ("350602", "350603"):
            conn.exec_driver_sql(f"INSERT INTO districts (code, name, geometry) VALUES ('{code}', '区{code}', '{{}}')")
        for code, district in (("S1", "350602"), ("S2", "350603"), ("S3", "350603")):
            conn.exec_driver_sql("INSERT INTO resp_grids (code, name, district_code, geometry) VALUES"
                                 f" ('{code}', '街道{code}', '{district}', '{{}}')")
        for name, role in (("colA", "collector"), ("colB", "collector"), ("colC", "collector"),
                           ("disp1", "dispatcher"), ("disp2", "dispatcher"), ("disp3", "dispatcher")):
            conn.exec_driver_sql("INSERT INTO users (username, display_name, role, password_hash) VALUES"
                                 f" ('{name}', '{name}', '{role}', 'x')")


@pytest.fixture
def kbus(db: Engine) -> MessageBus:
    """The engine with the city's working time over the test database, with three departments and people."""
    _city(db)
    bus = bootstrap(db, FakeClock(NOW), working_time=WT)
    with command_scope(), bus.deps.uow() as uow:
        upsert_facts(uow.store, CASES, NOW)
    return bus


def rows(bus: MessageBus, level: str, period: str = "2025-10", now: datetime = NOW) -> dict[str, dict[str, Any]]:
    """Every unit of the level: the ranked ones, then those without work."""
    found = ranking(bus.deps, period, level, now)
    return {r["code"]: r for r in [*found["rows"], *found["without_work"]]}


def test_departments_hand_computed(kbus: MessageBus) -> None:
    found = rows(kbus, "department")
    assert list(found) == ["D1", "D2", "D3"]  # every department, ranked first
    d1 = found["D1"]
    assert d1["counts"] == {"cases": 4, "dispatched": 4, "due_disposal": 4, "disposed": 3, "disposed_on_time": 2,
                            "extended": 1, "returned": 1, "due_closing": 3, "closed": 2, "closed_on_time": 1,
                            "reworked": 1, "overdue_open": 1}
    assert d1["values"] == pytest.approx({"disposal_rate": 0.75, "on_time_disposal_rate": 0.5, "rework_rate": 1 / 3,
                                          "overdue_open": 1.0, "closing_rate": 2 / 3, "on_time_closing_rate": 1 / 3,
                                          "extension_rate": 0.25, "return_rate": 0.25})
    assert (d1["composite"], d1["rank"]) == (56.25, 1)
    d2 = found["D2"]
    assert d2["counts"]["cases"] == 1 and d2["counts"]["overdue_open"] == 1  # b3, reported in September
    assert d2["values"]["disposal_rate"] is None and d2["values"]["return_rate"] == 0.0
    assert (d2["composite"], d2["rank"]) == (33.33, 2)
    assert (found["D3"]["composite"], found["D3"]["rank"], found["D3"]["values"]["disposal_rate"]) == (None, None, None)


def test_units_without_work_are_listed_apart_and_not_ranked(kbus: MessageBus) -> None:
    # D3's one case was dispatched but is not due at the cut-off: nothing to judge
    with command_scope(), kbus.deps.uow() as uow:
        upsert_facts(uow.store, [fact("d1", dept="D3", district="350603", street="S3", filed_at=t(30, 9.5),
                                      dispatched_at=t(30, 10), due_at=t(10, 10, 12))], NOW)
    found = ranking(kbus.deps, "2025-10", "department", NOW)
    assert [r["code"] for r in found["rows"]] == ["D1", "D2"]  # before: D3 first with 100.0 (回退率 0, 超期 0)
    idle = {r["code"]: r for r in found["without_work"]}
    assert list(idle) == ["D3"] and (idle["D3"]["rank"], idle["D3"]["composite"]) == (None, None)
    assert idle["D3"]["counts"]["cases"] == 1 and idle["D3"]["counts"]["due_disposal"] == 0
    empty = ranking(kbus.deps, "2025-08", "department", NOW)  # no cases at all: nobody is ranked
    assert empty["rows"] == [] and [r["code"] for r in empty["without_work"]] == ["D1", "D2", "D3"]
    people = ranking(kbus.deps, "2025-10", "dispatcher", NOW)
    assert [r["code"] for r in people["without_work"]] == ["disp3"]
    board = department_dashboard(kbus.deps, "D3", "2025-10", NOW)
    assert board["without_work"] and board["department"]["rank"] is None and board["ranked"] == 2


def test_districts_and_streets(kbus: MessageBus) -> None:
    districts, streets = rows(kbus, "district"), rows(kbus, "street")
    assert districts["350602"]["counts"] == rows(kbus, "department")["D1"]["counts"]
    assert districts["350603"]["counts"]["cases"] == 3 and districts["350603"]["counts"]["overdue_open"] == 1
    assert streets["S2"]["counts"] == districts["350603"]["counts"]
    assert streets["S3"]["counts"]["cases"] == 0 and streets["S3"]["rank"] is None


def test_people_hand_computed(kbus: MessageBus) -> None:
    collectors = rows(kbus, "collector")
    assert {k: v for k, v in collectors["colA"]["counts"].items() if v} == {
        "decided_reports": 2, "valid_reports": 1, "verified": 1, "verified_on_time": 1}
    assert collectors["colA"]["composite"] == 71.43  # (40 × 0.5 + 30 × 1) / 70
    assert {k: v for k, v in collectors["colB"]["counts"].items() if v} == {"checked": 2, "checked_on_time": 1}
    assert collectors["colC"]["composite"] is None  # voided as out of scope: nobody's fault
    dispatchers = rows(kbus, "dispatcher")
    assert {k: v for k, v in dispatchers["disp2"]["counts"].items() if v} == {  # b2: exactly half an hour
        "dispatches": 3, "dispatched_on_time": 3, "accurate_dispatches": 3}
    assert (dispatchers["disp1"]["values"], dispatchers["disp1"]["rank"]) == (
        {"on_time_dispatch_rate": 0.5, "accurate_dispatch_rate": 0.5}, 2)
    assert dispatchers["disp3"]["rank"] is None


def test_a_return_is_charged_to_the_department_that_made_it(kbus: MessageBus) -> None:
    # D3 sent c1 back, D1 disposed of it; D2 got back the case it had returned
    with command_scope(), kbus.deps.uow() as uow:
        upsert_facts(uow.store, [
            fact("c1", **D1, filed_at=t(13, 9.5), dispatched_at=t(13, 10), due_at=t(15, 10), returned_by="D3",
                 counters={"returns": 1, "wrong_dispatches": 1}),
            fact("c2", **D2, filed_at=t(14, 9.5), dispatched_at=t(14, 10), due_at=t(20, 10), returned_by="D2",
                 counters={"returns": 1})], NOW)
    found = rows(kbus, "department")
    rates = {code: (r["counts"]["returned"], r["counts"]["dispatched"], r["values"]["return_rate"])
             for code, r in found.items()}
    assert rates == {"D1": (1, 5, 0.2), "D2": (1, 2, 0.5), "D3": (1, 1, 1.0)}  # D1's is a2 (returner unknown)
    assert found["D3"]["counts"]["cases"] == 0 and found["D1"]["counts"]["cases"] == 5
    districts, streets = rows(kbus, "district"), rows(kbus, "street")  # where the case is: returned at least once
    assert [(districts[d]["counts"]["returned"], districts[d]["counts"]["dispatched"])
            for d in ("350602", "350603")] == [(2, 5), (1, 2)]
    assert streets["S1"]["counts"] == districts["350602"]["counts"]
    assert rows(kbus, "dispatcher")["disp1"]["counts"]["accurate_dispatches"] == 1  # unchanged: c1 has none


def test_a_running_period_is_judged_now(kbus: MessageBus) -> None:
    found = ranking(kbus.deps, "2025-10-13..2025-10-31", "department", t(15, 12))
    d1 = {r["code"]: r for r in found["rows"]}["D1"]["counts"]
    assert found["as_of"] == t(15, 12).isoformat()
    # a1 reported back; a2 and a4 past their deadlines and not yet reported back; a3 not due yet
    assert (d1["due_disposal"], d1["disposed"], d1["overdue_open"]) == (3, 1, 2)


def _random_facts(seed: int, n: int) -> list[FactRow]:
    rng = random.Random(seed)
    start = t(25, 0, 9)

    def maybe(base: datetime | None, hours: float) -> datetime | None:
        return None if base is None or rng.random() < 0.2 else base + timedelta(hours=rng.uniform(0, hours))

    out = []
    for i in range(n):
        reported = start + timedelta(hours=rng.uniform(0, 24 * 45))
        filed = maybe(reported, 6)
        dispatched = maybe(filed, 3)
        disposed = maybe(dispatched, 120)
        closed = maybe(disposed, 48)
        result = "closed" if closed else rng.choice(["open", "voided"])
        dept = rng.choice(["D1", "D2", "D3", "D9"])
        out.append(fact(
            f"r{i}", dept=dept, district=rng.choice(["350602", "350603"]),
            returned_by=rng.choice([None, None, dept, "D1", "D2", "D8"]),
            street=rng.choice(["S1", "S2", "S9"]),
            roles={"verifier": rng.choice(["colA", "colB"]), "dispatcher": rng.choice(["disp1", "disp2"]),
                   "checker": rng.choice(["colB", "colC"])},
            reported_at=reported, channel=rng.choice(["patrol", "hotline"]), reporter=rng.choice(["colA", "colC"]),
            verified_at=maybe(reported, 5), filed_at=filed, dispatched_at=dispatched,
            due_at=dispatched and dispatched + timedelta(hours=rng.uniform(1, 100)), disposed_at=disposed,
            checked_at=maybe(disposed, 6), closed_at=closed if result == "closed" else None, result=result,
            void_reason=rng.choice(["invalid", "out_of_scope"]) if result == "voided" else None,
            closed_on_time=rng.choice([True, False, None]),
            counters={k: rng.choice([0, 0, 1, 2]) for k in ("reworks", "returns", "extensions", "suspensions",
                                                              "wrong_dispatches")}))
    return out


def test_sql_agrees_with_the_reference_definitions(db: Engine) -> None:
    _city(db)
    bus = bootstrap(db, FakeClock(NOW), working_time=WT)
    facts = _random_facts(7, 400)
    with command_scope(), bus.deps.uow() as uow:
        upsert_facts(uow.store, facts, NOW)
    period = parse_period("2025-10")
    limits = parse_config(DEFAULT_FILE.read_text(encoding="utf-8")).limits
    for as_of in (period.end, t(20, 15)):
        expected: dict[str, dict[str, int]] = {}
        people: dict[str, dict[str, int]] = {}
        for row in facts:
            f = row.facts
            add_counts(expected.setdefault(f.department, {}), {"overdue_open": int(overdue_open(f, as_of))})
            for department, counts in department_counts(f, period, as_of).items():
                add_counts(expected.setdefault(department, {"overdue_open": 0}), counts)
            for user, counts in role_counts(f, row.roles or {}, period, as_of,
                                            lambda a, b, step: within(a, b, limits[step], WT)).items():
                add_counts(people.setdefault(user, {}), counts)
        found = ranking(bus.deps, "2025-10", "department", as_of)
        got = {r["code"]: r for r in [*found["rows"], *found["without_work"]]}
        assert {k: got[k]["counts"] for k in expected} == expected
        assert any(c["returned"] and not c["cases"] for c in expected.values())  # D8 only returned cases
        assert any(f.facts.returned_by not in (None, f.facts.department) and f.facts.counters["returns"]
                   for f in facts)
        got_people = {r["code"]: r["counts"] for level in ("collector", "dispatcher")
                      for r in rows(bus, level, "2025-10", min(as_of, NOW)).values()}
        for user, counts in people.items():
            assert {k: v for k, v in got_people[user].items() if k in counts} == counts, user


def test_apply_records_versions_the_results_name(kbus: MessageBus) -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    assert ranking(kbus.deps, "2025-10", "department", NOW)["config"]["version"] is None
    first = kbus.handle(city_commands.ApplyKpiConfig(text, "tester", "first"))
    again = kbus.handle(city_commands.ApplyKpiConfig(text, "tester", "again"))
    assert first.created and not again.created and again.version == first.version
    changed = text.replace("weight: 25", "weight: 0", 1)
    second = kbus.handle(city_commands.ApplyKpiConfig(changed, "tester", "no disposal rate weight"))
    assert second.created and second.version > first.version
    found = ranking(kbus.deps, "2025-10", "department", NOW)
    assert found["config"]["version"] == second.version
    assert {r["code"]: r["composite"] for r in found["rows"]}["D1"] == 50.0  # (56.25 − 18.75) / 75
    with pytest.raises(InvalidCommand) as err:
        kbus.handle(city_commands.ApplyKpiConfig(text.replace("unit: working_hours", "unit: moons", 1), "tester"))
    assert err.value.field == "role_limits.verify.unit"
    assert ranking(kbus.deps, "2025-10", "department", NOW)["config"]["version"] == second.version


def gridcase(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_apply_report_and_api_agree(db_url_engine: tuple[str, Engine], tmp_path: Path) -> None:
    url, db = db_url_engine
    _city(db)
    with command_scope(), bootstrap(db, FakeClock(NOW)).deps.uow() as uow:
        upsert_facts(uow.store, CASES, NOW)
    done = gridcase(url, "kpi", "apply", "--comment", "first")
    assert done.returncode == 0 and "version 1 (applied" in done.stdout, done.stderr
    assert "version 1 (unchanged" in gridcase(url, "kpi", "apply").stdout
    bad = gridcase(url, "report", "monthly", "--month", "2025-13", "--out", str(tmp_path))
    assert bad.returncode != 0 and "2025-13" in bad.stderr
    done = gridcase(url, "report", "monthly", "--month", "2025-10", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "2025-10"
    page = (folder / "report_2025-10.html").read_text(encoding="utf-8")
    assert "<svg" in page and "按期处置率" in page and "v1" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # no external assets
    assert "不参与排名" in page and "not ranked" in page  # D3 has no case: listed apart
    gridcase(url, "user", "add", "sup1", "--role", "supervisor", "--password-stdin", stdin="kpi-test-password-1\n")
    api = Api(url, tmp_path)
    try:
        for level in ("department", "district", "street", "collector", "dispatcher"):
            body = api.client.get(f"/api/v1/kpi/ranking?period=2025-10&level={level}",
                                  headers={"Authorization": f"Bearer {api.token('sup1', 'kpi-test-password-1')}"}).json
            assert body["config"]["version"] == 1
            with (folder / f"kpi_{level}.csv").open(encoding="utf-8") as fh:
                table = list(csv.DictReader(fh))
            listed = [*body["rows"], *body["without_work"]]
            assert [r["code"] for r in table] == [r["code"] for r in listed]
            for line, row in zip(table, listed, strict=True):
                assert (float(line["composite"]) if line["composite"] else None) == row["composite"]
                for key, value in row["values"].items():
                    assert (float(line[key]) if line[key] else None) == value, (level, key)
                for key, value in row["counts"].items():
                    assert int(line[key]) == value
    finally:
        api.close()
