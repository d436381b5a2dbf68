"""The KPIs' role steps read the same limits as the tasks (SQLite and PostgreSQL): once the case lifecycle is
deployed with its step-limit decision (rules/step_limits.dmn), 核实/派遣/核查 are judged against the decision's limit
for an ordinary case; before that, against config/kpi.yaml's role_limits (the fallback)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.facts.model import CaseFacts
from city.kpi.config import RoleLimit
from city.kpi.ranking import ranking
from city.kpi.report import decided_limits
from city.kpi.versions import current_config
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses
from engine.persistence.uow import command_scope
from engine.service.deploy import read_sources
from web.settings import Settings

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 12, 1, tzinfo=CST)
ROOT = Path(__file__).resolve().parents[2]


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=CST)


def _seed(db: Engine) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql("INSERT INTO departments (code, name_zh, name_en, level, district_code) VALUES"
                             " ('D1', '部门D1', 'Department D1', 'district', NULL)")
        conn.exec_driver_sql("INSERT INTO districts (code, name, geometry) VALUES ('350602', '区350602', '{}')")
        conn.exec_driver_sql("INSERT INTO resp_grids (code, name, district_code, geometry) VALUES"
                             " ('S1', '街道S1', '350602', '{}')")
        conn.exec_driver_sql("INSERT INTO users (username, display_name, role, password_hash) VALUES"
                             " ('colA', 'colA', 'collector', 'x')")


def _verified_on_time(bus: object) -> int:
    found = ranking(bus.deps, "2025-10", "collector", NOW)  # type: ignore[attr-defined]
    (row,) = [r for r in [*found["rows"], *found["without_work"]] if r["code"] == "colA"]
    return int(row["counts"]["verified_on_time"])


def test_role_steps_take_the_decisions_limit_once_the_lifecycle_is_deployed(db: Engine) -> None:
    _seed(db)
    bus = bootstrap(db, FakeClock(NOW), working_time=Settings.from_env({}).working_time())
    # 核实 in 1.5 working hours (a Monday morning): late by the settings' 1 hour, on time by the decision's 2 hours
    verified = CaseFacts(reported_at=t(13, 9), verified_at=t(13, 10, 30), channel="hotline",  # type: ignore[call-arg]
                         department="D1", district="350602", resp_grid="S1", unit_grid="S1-u1", counters={})
    with command_scope(), bus.deps.uow() as uow:
        upsert_facts(uow.store, [FactRow("k1", verified, source="history", roles={"verifier": "colA"})], NOW)
    config = current_config(bus.deps)
    assert decided_limits(bus.deps, config).limits == config.limits  # no lifecycle deployed: the settings
    assert config.limits["verify"] == RoleLimit(1.0, "working_hours")
    assert _verified_on_time(bus) == 0
    bus.handle(DeployProcesses(read_sources([ROOT / "workflows", ROOT / "rules"]), "tests"))
    limits = decided_limits(bus.deps, config).limits
    assert limits == {"verify": RoleLimit(2.0, "working_hours"), "dispatch": RoleLimit(0.5, "working_hours"),
                      "check": RoleLimit(2.0, "working_hours")}
    assert _verified_on_time(bus) == 1


def test_a_subtypes_own_limit_judges_its_cases(db: Engine) -> None:
    _seed(db)
    bus = bootstrap(db, FakeClock(NOW), working_time=Settings.from_env({}).working_time())
    facts = []
    for no, subtype in (("s1", "0601"), ("s2", "0602")):  # 核实 in 2.5 working hours each
        verified = CaseFacts(reported_at=t(13, 9), verified_at=t(13, 11, 30), channel="hotline",  # type: ignore[call-arg]
                             subtype=subtype, department="D1", district="350602", resp_grid="S1", unit_grid="S1-u1",
                             counters={})
        facts.append(FactRow(no, verified, source="history", roles={"verifier": "colA"}))
    with command_scope(), bus.deps.uow() as uow:
        upsert_facts(uow.store, facts, NOW)
    sources = read_sources([ROOT / "workflows", ROOT / "rules"])
    longer = ('<rule id="r_verify_0601"><inputEntry id="r_verify_0601_i0"><text>"verify"</text></inputEntry>'
              '<inputEntry id="r_verify_0601_i1"><text>"0601"</text></inputEntry>'
              '<inputEntry id="r_verify_0601_i2"><text>-</text></inputEntry>'
              '<outputEntry id="r_verify_0601_o0"><text>3</text></outputEntry>'
              '<outputEntry id="r_verify_0601_o1"><text>"working_hours"</text></outputEntry>'
              '<outputEntry id="r_verify_0601_o2"><text>0.8</text></outputEntry>'
              '<outputEntry id="r_verify_0601_o3"><text>"shift_lead"</text></outputEntry></rule>')
    table = sources["step_limits.dmn"]
    first_rule = table.index("<rule ")
    sources["step_limits.dmn"] = table[:first_rule] + longer + "\n      " + table[first_rule:]  # FIRST: it wins
    bus.handle(DeployProcesses(sources, "tests"))
    config = decided_limits(bus.deps, current_config(bus.deps))
    assert config.limit_of is not None and config.limit_of("verify", "0601") == RoleLimit(3.0, "working_hours")
    assert config.limit_of("verify", "0602") == config.limits["verify"] == RoleLimit(2.0, "working_hours")
    found = ranking(bus.deps, "2025-10", "collector", NOW)
    (row,) = [r for r in [*found["rows"], *found["without_work"]] if r["code"] == "colA"]
    assert (row["counts"]["verified"], row["counts"]["verified_on_time"]) == (2, 1)  # 0601 in time, 0602 late
