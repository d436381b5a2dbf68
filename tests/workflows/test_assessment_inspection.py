"""workflows/assessment_inspection.bpmn (考评检查), the rectification paths: every item passed → closed; failed items
→ one rectification case each (考评整改: subtype, channel, the object's unit routed, the photos shared) → the
re-inspection (复查) passes → closed; a re-inspection failing again → new cases (重复整改); still failing after 3
re-inspections → escalated with a 督办 task. Every command is checked against the stored state (hot and restored
from rows, ``verify_state``), every case replays, and time moves only by the fake clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from assessment_inspection_support import (
    DEPARTMENT,
    INSPECTOR,
    finish,
    inspection_bus,
    inspection_row,
    later,
    record,
    record_all,
    rectifications,
    rows,
    start_inspection,
    upload_photo,
)
from fixture_types import Snapshot, TaskData
from lifecycle import Case
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, make_city_bus: Callable[..., MessageBus], clock: FakeClock) -> MessageBus:
    """The inspection model, the lifecycle and the rules; hot and restored from rows; every case replays."""
    return inspection_bus(request, make_city_bus, clock)


def refused(case: Case, bpmn_id: str, snapshot: Snapshot) -> str:
    """The visit's completion refused, nothing written: the field named."""
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refusal:
        finish(case, bpmn_id)
    assert snapshot(case.case_id) == before
    return str(refusal.value.field)


def failed_visit(bus: MessageBus, case: Case, inspection_id: int, tmp_path: Path) -> str:
    """Visit 0: GS01 failed by its preset (10 of 40, with a photo), GS02 failed (all 30), GS03 passed; the photo."""
    photo = upload_photo(bus, case.case_id, tmp_path)
    record(bus, inspection_id, "GS01", "fail", deduction_code="GS01a", note="缺少厨余垃圾桶", photos=(photo,))
    record(bus, inspection_id, "GS02", "fail")
    record(bus, inspection_id, "GS03", "pass")
    finish(case, "inspect_object")
    return photo


def test_every_item_passed_closes_the_inspection(bus: MessageBus, db: Engine, clock: FakeClock,
                                                 snapshot: Snapshot) -> None:
    case, inspection_id, _ = start_inspection(bus, db)
    task = case.ready()["inspect_object"]
    assert (task.candidate_group, task.form) == ("collector:350602", "forms/assessment_visit.json")
    assert set(case.timers()) == {"inspection_warning", "inspection_overdue"}
    row = inspection_row(db, inspection_id)
    assert (row.case_id, row.task_group, row.state, row.visits) == (case.case_id, "collector:350602", "open", 0)
    assert refused(case, "inspect_object", snapshot) == "items.GS01"  # nothing recorded yet
    record_all(bus, inspection_id, {"GS01": "pass", "GS02": "pass"})
    assert refused(case, "inspect_object", snapshot) == "items.GS03"
    record(bus, inspection_id, "GS03", "fail")
    record(bus, inspection_id, "GS03", "pass")  # recorded again before the visit ends: replaced
    clock.set(later(3))
    finish(case, "inspect_object")
    assert case.status == "completed" and case.ready() == {}
    data = case.data()
    assert (data["inspection_state"], data["visits"], data["due_at"]) == ("closed", 1, None)
    assert data["visit_result"]["score"] == 100.0 and "credit" not in data
    row = inspection_row(db, inspection_id)
    assert (row.state, row.score, row.deducted, row.failed_items, row.visits, row.inspected_by) == (
        "closed", 100.0, 0.0, 0, 1, INSPECTOR)
    assert row.closed_at is not None and rectifications(db, inspection_id) == []
    kinds = [r.event_type for r in rows(db, "SELECT event_type FROM case_events WHERE case_id = :id ORDER BY seq",
                                        id=case.case_id)]
    assert kinds.count("assessment_item_recorded") == 4
    assert verify_case(bus.deps, case.case_id).verified


def test_a_missing_photo_refuses_the_visit(bus: MessageBus, db: Engine, snapshot: Snapshot,
                                           task_data: TaskData, tmp_path: Path) -> None:
    case, inspection_id, _ = start_inspection(bus, db)
    record_all(bus, inspection_id, {"GS01": "fail", "GS02": "pass", "GS03": "na"})
    assert refused(case, "inspect_object", snapshot) == "items.GS01.photos"  # on_fail: a fail needs its photo
    record(bus, inspection_id, "GS01", "fail", photos=(upload_photo(bus, case.case_id,
                                                                               tmp_path),))
    finish(case, "inspect_object")
    result = case_data(task_data, case, "reinspect_object")["visit_result"]
    assert (result["score"], result["applicable_points"]) == (42.9, 70.0)  # GS03 not applicable: not counted


def test_every_item_not_applicable_is_refused(bus: MessageBus, db: Engine, snapshot: Snapshot) -> None:
    case, inspection_id, _ = start_inspection(bus, db)
    record_all(bus, inspection_id, {"GS01": "na", "GS02": "na", "GS03": "na"})
    assert refused(case, "inspect_object", snapshot) == "items"


def test_failures_open_rectification_cases_and_a_passed_reinspection_closes(
        bus: MessageBus, db: Engine, clock: FakeClock, snapshot: Snapshot, task_data: TaskData,
        tmp_path: Path) -> None:
    case, inspection_id, registry = start_inspection(bus, db)
    photo = failed_visit(bus, case, inspection_id, tmp_path)
    data = case_data(task_data, case, "reinspect_object")
    assert data["visit_result"]["score"] == 60.0 and data["visit_result"]["failed"] == ["GS01", "GS02"]
    assert (data["inspection_state"], data["visits"]) == ("rectifying", 1)
    row = inspection_row(db, inspection_id)
    assert (row.state, row.score, row.deducted, row.failed_items) == ("rectifying", 60.0, 40.0, 2)
    opened = rectifications(db, inspection_id)
    assert [(r.visit, r.item_code) for r in opened] == [(0, "GS01"), (0, "GS02")]
    first = Case(bus, db, opened[0].case_id)
    report = task_data(first.case_id, "file_or_void")[-1]["report"]
    assert (report["channel"], report["subtype"], report["responsible_unit"]) == ("assessment", "0613", DEPARTMENT)
    assert report["description"] == "考评整改 胜利花园: 分类投放设施齐全 (缺少厨余垃圾桶)"
    assert report["evidence"] == [photo] and "verify_report" not in first.ready()  # no 核实: the inspector saw it
    shared = rows(db, "SELECT sha256 FROM attachments WHERE case_id = :id", id=first.case_id)
    assert [r.sha256 for r in shared] == [photo]
    first.complete("file_or_void", {"filing": {"decision": "file"}})
    assert task_data(first.case_id, "confirm_dispatch")[-1]["disposal_unit"] == DEPARTMENT
    assert task_data(first.case_id, "confirm_dispatch")[-1]["assessment"] == {
        "inspection_id": inspection_id, "round_id": registry["round_id"], "scheme": "garbage_sorting",
        "period": "2026-12", "object_code": "GS-350602-001", "item_code": "GS01", "visit": 0}
    assert case.ready()["reinspect_object"].candidate_group == "collector:350602"
    with pytest.raises(Exception) as wrong_item:  # GS03 passed: it is not re-inspected
        record(bus, inspection_id, "GS03", "pass")
    assert getattr(wrong_item.value, "fields", {}).keys() == {"item_code"}
    clock.set(later(5))
    record(bus, inspection_id, "GS01", "pass")
    assert refused(case, "reinspect_object", snapshot) == "items.GS02"
    record(bus, inspection_id, "GS02", "pass")
    finish(case, "reinspect_object")
    assert case.status == "completed" and case.data()["inspection_state"] == "closed"
    row = inspection_row(db, inspection_id)
    assert (row.state, row.visits, row.score) == ("closed", 2, 60.0)  # the round's score stays the inspection's
    assert len(rectifications(db, inspection_id)) == 2


def case_data(task_data: TaskData, case: Case, bpmn_id: str) -> dict[str, Any]:
    """The data the newest task ``bpmn_id`` of the case holds."""
    return task_data(case.case_id, bpmn_id)[-1]


def test_failing_again_opens_new_cases_and_three_failed_reinspections_escalate(
        bus: MessageBus, db: Engine, clock: FakeClock, task_data: TaskData, tmp_path: Path) -> None:
    case, inspection_id, _ = start_inspection(bus, db)
    failed_visit(bus, case, inspection_id, tmp_path)
    due_at = case.timers()["reinspection_overdue"].due_at
    for visit in (1, 2, 3):
        clock.set(later(7 * visit))
        if visit == 1:
            record(bus, inspection_id, "GS01", "pass")
        record(bus, inspection_id, "GS02", "fail", note="标识仍模糊")
        with pytest.raises(Exception) as na:  # a re-inspection never says not applicable
            record(bus, inspection_id, "GS02", "na")
        assert getattr(na.value, "fields", {}).keys() == {"result"}
        finish(case, "reinspect_object")
        opened = [(r.visit, r.item_code) for r in rectifications(db, inspection_id)]
        if visit < 3:
            assert opened[-1] == (visit, "GS02") and len(opened) == 2 + visit  # 重复整改: a new case each time
        else:  # the visit that escalates opens none: the 督办 takes over
            assert opened[-1] == (2, "GS02") and len(opened) == 4
        if visit < 3:
            assert case.ready()["reinspect_object"] and case.timers()["reinspection_overdue"].due_at != due_at
    assert set(case.ready()) == {"supervise_rectification"}
    assert case.ready()["supervise_rectification"].candidate_group == "supervisor"
    row = inspection_row(db, inspection_id)
    assert (row.state, row.visits) == ("escalated", 4)
    with pytest.raises(Exception) as closed:
        record(bus, inspection_id, "GS02", "pass")
    assert type(closed.value).__name__ == "ConcurrencyConflict"
    case.complete("supervise_rectification", {"supervision_note": "约谈物业负责人"}, "supervisor1")
    assert case.status == "completed" and inspection_row(db, inspection_id).state == "escalated"
    again = rows(db, "SELECT visit, case_id FROM assessment_results WHERE inspection_id = :id AND visit >= 2",
                 id=inspection_id)
    assert [r.visit for r in again if r.case_id is not None] == [2]
    later_case = [r.case_id for r in again if r.case_id is not None]
    assert task_data(later_case[0], "file_or_void")[-1]["assessment"]["visit"] == 2
