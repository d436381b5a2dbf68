"""workflows/assessment_inspection.bpmn (考评检查), its clock and its schemes: yellow at the round's warning, an
overdue inspection or re-inspection → a 督办 task for the supervisors while the visit stays open (ended with the
inspection); who inspects by scheme and kind; a property compound's score → the company's credit points in the data;
a bad start refused. Hot and restored from rows; every case replays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from assessment_inspection_support import (
    ROUND_DUE,
    WARN,
    finish,
    inspection_bus,
    inspection_payload,
    inspection_row,
    record,
    record_all,
    rectifications,
    seed_registry,
    start_inspection,
    upload_photo,
)
from fixture_types import Sql, TaskData
from lifecycle import due, fire_due
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected
from engine.service.bus import MessageBus


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, make_city_bus: Callable[..., MessageBus], clock: FakeClock) -> MessageBus:
    """The inspection model, the lifecycle and the rules; hot and restored from rows; every case replays."""
    return inspection_bus(request, make_city_bus, clock)


def test_warned_then_overdue_supervised_and_ended_with_the_inspection(bus: MessageBus, db: Engine,
                                                                      clock: FakeClock) -> None:
    case, inspection_id, _ = start_inspection(bus, db)
    assert (due(case, "inspection_warning"), due(case, "inspection_overdue")) == (WARN, ROUND_DUE)
    assert case.ready()["inspect_object"].due_at is not None
    clock.set(WARN - timedelta(minutes=1))
    assert fire_due(bus) == []
    clock.set(WARN)
    fire_due(bus)
    assert set(case.timers()) == {"inspection_overdue"} and set(case.ready()) == {"inspect_object"}
    clock.set(ROUND_DUE + timedelta(minutes=1))
    fire_due(bus)
    ready = case.ready()
    assert set(ready) == {"inspect_object", "supervise_overdue_inspection"}  # the inspection stays open
    assert (ready["supervise_overdue_inspection"].candidate_group, ready["supervise_overdue_inspection"].form) == (
        "supervisor", "forms/supervise_assessment.json")
    assert inspection_row(db, inspection_id).state == "open"
    record_all(bus, inspection_id, {"GS01": "pass", "GS02": "pass", "GS03": "pass"})
    finish(case, "inspect_object")  # the terminate end also ends the open 督办
    assert case.status == "completed" and case.ready() == {}
    assert [t.state for t in case.tasks("supervise_overdue_inspection")] == ["cancelled"]


def test_an_overdue_reinspection_is_supervised(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case, inspection_id, _ = start_inspection(bus, db)
    record_all(bus, inspection_id, {"GS01": "pass", "GS02": "fail", "GS03": "pass"})
    clock.advance(timedelta(hours=1))
    finish(case, "inspect_object")
    finished_at = clock.now()
    assert due(case, "reinspection_overdue") == finished_at + timedelta(days=7)  # rectify_days of a community
    assert due(case, "reinspection_warning") == finished_at + timedelta(hours=7 * 24 * 4 // 5)
    clock.set(finished_at + timedelta(days=7))
    fire_due(bus)
    assert set(case.ready()) == {"reinspect_object", "supervise_overdue_reinspection"}
    case.complete("supervise_overdue_reinspection", {"supervision_note": "今日内复查"}, "supervisor1")
    record(bus, inspection_id, "GS02", "pass")
    finish(case, "reinspect_object")
    assert case.status == "completed" and inspection_row(db, inspection_id).state == "closed"


@pytest.mark.parametrize(("kind", "group"), [("community", "collector:350602"), ("institution", "collector:350602"),
                                             ("transfer_station", "C06")])
def test_who_inspects_by_kind(bus: MessageBus, db: Engine, kind: str, group: str) -> None:
    case, inspection_id, _ = start_inspection(bus, db, kind=kind)
    assert case.ready()["inspect_object"].candidate_group == group
    assert inspection_row(db, inspection_id).task_group == group


def test_an_excellent_compound_regains_a_credit_point(bus: MessageBus, db: Engine) -> None:
    case, inspection_id, _ = start_inspection(bus, db, scheme="property", kind="compound", department=None)
    assert case.ready()["inspect_object"].candidate_group == "C27"
    record_all(bus, inspection_id, {"PM01": "pass", "PM02": "pass"})
    finish(case, "inspect_object")
    data = case.data()
    assert data["credit"] == {"points": -1, "reason": "考评优秀 (inspection score 95 or above)"}
    assert data["visit_result"]["score"] == 100.0 and "credit_input" not in data and "points" not in data


def test_a_failed_compound_loses_points_and_has_15_days(bus: MessageBus, db: Engine, clock: FakeClock,
                                                        task_data: TaskData, tmp_path: Path) -> None:
    case, inspection_id, _ = start_inspection(bus, db, scheme="property", kind="compound", department=None)
    record(bus, inspection_id, "PM01", "fail")
    record(bus, inspection_id, "PM02", "fail", deduction=20)
    with pytest.raises(FormRejected) as refused:  # PM01's photo rule: on_fail
        finish(case, "inspect_object")
    assert refused.value.field == "items.PM01.photos"
    record(bus, inspection_id, "PM01", "fail", photos=(upload_photo(bus, case.case_id, tmp_path),))
    finished_at = clock.now()
    finish(case, "inspect_object")
    data = task_data(case.case_id, "reinspect_object")[-1]
    assert data["visit_result"]["score"] == 30.0
    assert data["credit"] == {"points": 5, "reason": "考评不合格 (inspection score below 60)"}
    assert due(case, "reinspection_overdue") == finished_at + timedelta(days=15)
    opened = rectifications(db, inspection_id)
    report = task_data(opened[0].case_id, "file_or_void")[-1]["report"]
    assert report["subtype"] == "1203" and "responsible_unit" not in report  # no unit: routed by the rules


@pytest.mark.parametrize(("change", "field"), [
    ({"inspection_id": "1"}, "inspection_id"), ({"scheme": "parking"}, "scheme"), ({"object": None}, "object"),
    ({"warn_at": "2027-02-01T00:00:00+08:00"}, "warn_at")])
def test_a_bad_start_is_refused_naming_the_field(bus: MessageBus, db: Engine, sql: Sql, change: dict[str, object],
                                                 field: str) -> None:
    registry = seed_registry(db)
    before = len(sql("SELECT id FROM cases"))
    with pytest.raises(FormRejected) as refused:
        bus.handle(c.StartCase("assessment_inspection", {**inspection_payload(1, registry), **change}, "system"))
    assert refused.value.field == field and len(sql("SELECT id FROM cases")) == before
