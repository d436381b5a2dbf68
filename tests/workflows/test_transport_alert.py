"""workflows/transport_alert.bpmn (运输告警复核), every path: the violation rules run again on the alert's facts and
recorded, the review rules giving the group and the hours; confirmed; dismissed (the reason required); not reviewed in
time → 督办 for the supervisors, ended with the review or supervised first; a bad start refused. Every command is
checked against the stored state (hot and restored from rows, ``verify_state``), every case replays, and time moves
only by the fake clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import replay_every_case
from fixture_types import Snapshot, Sql
from lifecycle import Case, due, fire_due
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected
from engine.domain.forms import FieldsRejected
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [ROOT / "workflows" / "transport_alert.bpmn", ROOT / "rules" / "gps_violation.dmn",
               ROOT / "rules" / "gps_alert_review.dmn"]
START = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
NO_EPISODE = {"has_permit": True, "moving": True, "speed_kmh": 32.0, "off_corridor_seconds": 0,
              "off_corridor_max_m": 0, "stop_minutes": 0, "stop_at_site": False, "out_of_hours_minutes": 0,
              "unpermitted_minutes": 0, "silent_minutes": 0}
DUMPING = {**NO_EPISODE, "moving": False, "speed_kmh": 0.0, "stop_minutes": 14}
OFF_ROUTE = {**NO_EPISODE, "off_corridor_seconds": 300, "off_corridor_max_m": 180.5}
SILENT = {**NO_EPISODE, "moving": False, "speed_kmh": None, "silent_minutes": 45}
RULES = {"off_route": "off_route_over_2_minutes", "suspected_dumping": "stop_over_10_minutes_outside_sites",
         "out_of_hours": "moving_out_of_hours_over_5_minutes", "no_permit": "moving_without_permit_over_2_minutes",
         "silent": "silent_over_30_minutes"}  # rules/gps_violation.dmn's rule ids by kind


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, db: Engine, clock: FakeClock) -> Iterator[MessageBus]:
    """The alert model and its two decisions deployed with their forms (checked on each completion), once with the
    workflow cache and once restoring every case from its rows; every case replays afterwards."""
    clock.set(START)
    built = bootstrap(db, clock, verify_state=True, working_time=Settings.from_env({}).working_time(),
                      cache_size=256 if request.param == "hot" else 0)
    built.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    yield built
    replay_every_case(request, [built])


def alert(kind: str, severity: str, facts: dict[str, Any] | None, rule_id: str | None = None, **overrides: Any
          ) -> dict[str, Any]:
    """The start data the GPS ingest gives a new alert of truck 闽E·12345 (rule_id: the kind's rule by default)."""
    base = {"id": 7, "kind": kind, "severity": severity, "plate": "闽E·12345", "company_code": "ZZ01",
            "company_name": "漳州顺达渣土运输有限公司", "permit_code": "HZ-2026-001",
            "started_at": (START - timedelta(minutes=20)).isoformat(), "lon": 117.65, "lat": 24.51,
            "facts": facts, "rule_id": rule_id or RULES.get(kind, kind), "case_no": None}
    return {"alert": {**base, **overrides}}


def start(bus: MessageBus, db: Engine, data: dict[str, Any]) -> Case:
    """A transport_alert case started as the ingest starts it."""
    return Case(bus, db, bus.handle(c.StartCase("transport_alert", data, "gps")).case_id)


def test_a_dumping_alert_checked_routed_and_confirmed(bus: MessageBus, db: Engine, sql: Sql,
                                                       clock: FakeClock) -> None:
    case = start(bus, db, alert("suspected_dumping", "high", DUMPING))
    task = case.ready()["review_transport_alert"]
    assert (task.candidate_group, task.form) == ("C03", "forms/review_transport_alert.json")
    assert due(case, "review_overdue") == START + timedelta(hours=2) == as_utc(task.due_at)
    (changes,) = [json.loads(e.data)["changes"] for e in sql(  # the start step's data changes: the case's history
        "SELECT data FROM case_events WHERE case_id = :id AND event_type = 'data_changed' ORDER BY seq",
        id=case.case_id)]
    assert changes["violation_check.rule_id"] == [None, RULES["suspected_dumping"]]
    assert changes["violation_check.matched_rules"] == [None, [RULES["suspected_dumping"]]]
    assert changes["violation_check.rule_matched"] == [None, True]
    assert [h["kind"] for h in changes["violation_check.hits"][1]] == ["suspected_dumping"]
    assert changes["review_group"] == [None, "C03"] and changes["review_hours"] == [None, 2]
    clock.advance(timedelta(minutes=50))
    case.complete("review_transport_alert", {"review": {"decision": "confirm", "note": "现场核实有渣土倾倒"}},
                  "dept_c03_01")
    assert case.status == "completed" and case.ready() == {}
    data = case.data()
    assert (data["review_state"], data["reviewed_on_time"]) == ("confirmed", True)
    assert data["reviewed_at"] == (START + timedelta(minutes=50)).isoformat()
    assert "stop_minutes" not in data and "gps_violation_rules" not in data  # the table's inputs laid out, then gone
    assert set(case.timers("cancelled")) == {"review_overdue"}


def test_a_false_alert_needs_its_reason(bus: MessageBus, db: Engine, snapshot: Snapshot) -> None:
    case = start(bus, db, alert("off_route", "medium", OFF_ROUTE))
    assert case.ready()["review_transport_alert"].candidate_group == "C03"
    assert due(case, "review_overdue") == START + timedelta(hours=8)
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete("review_transport_alert", {"review": {"decision": "dismiss"}}, "dept_c03_01")
    assert refused.value.field == "review.note" and snapshot(case.case_id) == before
    with pytest.raises(FieldsRejected) as refused_by_form:  # the form's own choices
        case.complete("review_transport_alert", {"review": {"decision": "maybe"}}, "dept_c03_01")
    assert set(refused_by_form.value.fields) == {"review.decision"}
    assert snapshot(case.case_id) == before
    case.complete("review_transport_alert", {"review": {"decision": "dismiss", "note": "道路临时封闭，绕行"}},
                  "dept_c03_01")
    assert case.status == "completed" and case.data()["review_state"] == "dismissed"


def test_not_reviewed_in_time_is_supervised_and_ends_with_the_review(bus: MessageBus, db: Engine,
                                                                      clock: FakeClock) -> None:
    case = start(bus, db, alert("suspected_dumping", "high", DUMPING))
    clock.set(START + timedelta(hours=1, minutes=59))
    assert fire_due(bus) == [] and set(case.ready()) == {"review_transport_alert"}
    clock.set(START + timedelta(hours=2, minutes=1))
    fire_due(bus)
    assert set(case.ready()) == {"review_transport_alert", "supervise_alert_review"}
    assert case.ready()["supervise_alert_review"].candidate_group == "supervisor"
    case.complete("review_transport_alert", {"review": {"decision": "confirm"}}, "dept_c03_01")
    assert case.status == "completed" and case.ready() == {}  # the terminate end closes the open 督办
    assert case.data()["reviewed_on_time"] is False
    (supervision,) = case.tasks("supervise_alert_review")
    assert supervision.state == "cancelled"


def test_supervised_first_then_reviewed(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = start(bus, db, alert("silent", "low", SILENT))
    assert due(case, "review_overdue") == START + timedelta(hours=24)
    clock.set(START + timedelta(hours=25))
    fire_due(bus)
    case.complete("supervise_alert_review", {"supervision_note": "今日内复核"}, "supervisor1")
    assert set(case.ready()) == {"review_transport_alert"} and case.status != "completed"
    clock.advance(timedelta(hours=1))
    case.complete("review_transport_alert", {"review": {"decision": "dismiss", "note": "设备故障已修复"}},
                  "dept_c03_01")
    assert case.status == "completed" and case.data()["review_state"] == "dismissed"


def test_facts_no_rule_meets_now_are_recorded_and_still_reviewed(bus: MessageBus, db: Engine) -> None:
    case = start(bus, db, alert("out_of_hours", "medium", NO_EPISODE, rule_id="out_of_hours_night"))
    assert due(case, "review_overdue") == START + timedelta(hours=8)
    case.complete("review_transport_alert", {"review": {"decision": "confirm"}}, "dept_c03_01")
    recorded = case.data()["violation_check"]
    assert recorded == {"hits": [], "rule_id": "out_of_hours_night", "matched_rules": [], "rule_matched": False}


@pytest.mark.parametrize(("kind", "severity", "hours"), [("no_permit", "high", 4), ("off_route", "high", 4),
                                                          ("out_of_hours", "medium", 8), ("unknown", "high", 4),
                                                          ("unknown", "low", 8)])
def test_the_review_rules_give_the_hours(bus: MessageBus, db: Engine, kind: str, severity: str, hours: int) -> None:
    case = start(bus, db, alert(kind, severity, NO_EPISODE))
    assert case.ready()["review_transport_alert"].candidate_group == "C03"
    assert due(case, "review_overdue") == START + timedelta(hours=hours)


@pytest.mark.parametrize(("data", "field"), [({}, "alert"), ({"alert": "7"}, "alert"),
                                             (alert("off_route", "", OFF_ROUTE), "alert.severity"),
                                             (alert("", "high", OFF_ROUTE), "alert.kind"),
                                             (alert("off_route", "high", None), "alert.facts")])
def test_a_bad_start_is_refused_naming_the_field(bus: MessageBus, sql: Sql, data: dict[str, Any],
                                                 field: str) -> None:
    with pytest.raises(FormRejected) as refused:
        bus.handle(c.StartCase("transport_alert", data, "gps"))
    assert refused.value.field == field
    assert sql("SELECT id FROM cases") == []
