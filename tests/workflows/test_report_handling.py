"""report_handling: register → priority → dispatch (normal, or urgent with a 4h deadline) → verification.

Every test runs twice (``each_bus``): with hot workflows and restoring the case from its rows at every step.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fixture_types import HumanTask, Problems, Rows, Snapshot, Sql, TaskData

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus
from engine.service.handlers import CaseRef


def start_report(bus: MessageBus, report_no: str = "R-1", department: str = "dept_roads") -> CaseRef:
    return bus.handle(c.StartCase("report_handling", {"report_no": report_no, "department": department}, "alice"))


def register(bus: MessageBus, ref: CaseRef, severity: int, description: str = "manhole cover missing") -> CaseRef:
    (register_task,) = ref.ready_tasks
    return bus.handle(c.CompleteHumanTask(register_task, {"severity": severity, "description": description}, "alice"))


def verify(bus: MessageBus, report_no: str) -> list[CaseRef]:
    return bus.handle(c.SendMessage("verification_done", {"ok": True}, "collector", {"report_no": report_no}))


def test_start_makes_register_ready_with_lane_and_form(each_bus: MessageBus, human_task: HumanTask,
                                                        events: Rows, clock: FakeClock) -> None:
    ref = start_report(each_bus)
    (task_id,) = ref.ready_tasks
    row = human_task(task_id)
    assert (row.bpmn_id, row.name, row.lane, row.candidate_group, row.form, row.state, row.assignee) == (
        "register_report", "Register the report (登记)", "seat_operators", "seat_operators",
        "register_report.json", "ready", None)
    assert row.due_at is None and as_utc(row.created_at) == clock.now()
    log = events(ref.case_id)
    assert [(e.event_type, e.bpmn_id) for e in log] == [("case_started", None), ("task_ready", "register_report"),
                                                        ("data_changed", None)]
    assert json.loads(log[0].data) == {"process_id": "report_handling", "version": 1, "channel": None,
                                       "external_id": None, "start_message": None,
                                       "data": {"report_no": "R-1", "department": "dept_roads"}}
    assert json.loads(log[1].data) == {"due_at": None, "group": "seat_operators"}
    assert json.loads(log[2].data) == {"changes": {"department": [None, "dept_roads"], "report_no": [None, "R-1"]}}


def test_normal_priority_is_dispatched_without_deadline(each_bus: MessageBus, sql: Sql, human_task: HumanTask,
                                                         task_data: TaskData, events: Rows,
                                                         chain_problems: Problems) -> None:
    ref = start_report(each_bus)
    ref = register(each_bus, ref, severity=2, description="graffiti")
    (dispatch,) = ref.ready_tasks
    row = human_task(dispatch)
    assert (row.bpmn_id, row.name, row.lane, row.candidate_group, row.due_at, row.form) == (
        "dispatch_normal", "Dispatch (派遣)", "dispatchers", "dispatchers", None, None)
    (data,) = task_data(ref.case_id, "dispatch_normal")
    assert (data["priority"], data["checks"]) == ("normal", [2, len("graffiti")])
    assert sql("SELECT * FROM timers WHERE case_id = :id", id=ref.case_id) == []

    ref = each_bus.handle(c.CompleteHumanTask(dispatch, {"team": "t1"}, "dan"))
    assert ref.ready_tasks == ()
    (wait,) = sql("SELECT name, correlation FROM message_waits WHERE case_id = :id", id=ref.case_id)
    assert (wait.name, json.loads(wait.correlation)) == ("verification_done", {"report_no": "R-1"})

    (delivered,) = verify(each_bus, "R-1")
    assert (delivered.case_id, delivered.version) == (ref.case_id, ref.version + 1)
    (case,) = sql("SELECT status, completed_at FROM cases WHERE id = :id", id=ref.case_id)
    assert case.status == "completed" and case.completed_at is not None
    assert sql("SELECT * FROM message_waits WHERE case_id = :id", id=ref.case_id) == []
    log = events(ref.case_id)
    received = [(e.bpmn_id, json.loads(e.data)) for e in log if e.event_type == "message_received"]
    assert received == [("wait_for_verification", {"message": "verification_done", "payload": {"ok": True}})]
    kinds = [(e.event_type, e.bpmn_id) for e in log]
    assert kinds[-1] == ("case_completed", None)
    assert ("message_received", "wait_for_verification") in kinds
    assert ("dispatch_urgent" not in {b for _, b in kinds}) and chain_problems(ref.case_id) == []


def test_urgent_candidate_group_comes_from_case_data(each_bus: MessageBus, human_task: HumanTask,
                                                     task_data: TaskData) -> None:
    ref = register(each_bus, start_report(each_bus, "R-7", department="dept_sanitation"), severity=3)
    (dispatch,) = ref.ready_tasks
    row = human_task(dispatch)
    assert (row.bpmn_id, row.lane, row.candidate_group) == ("dispatch_urgent", "dispatchers", "dept_sanitation")
    assert task_data(ref.case_id, "dispatch_urgent")[0]["priority"] == "high"


def test_urgent_dispatched_on_time_cancels_the_deadline(each_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                        human_task: HumanTask, events: Rows,
                                                        snapshot: Snapshot) -> None:
    ref = start_report(each_bus)
    clock.advance(minutes=10)
    dispatched_at = clock.now()
    ref = register(each_bus, ref, severity=4)
    (dispatch,) = ref.ready_tasks
    assert as_utc(human_task(dispatch).due_at) == dispatched_at + timedelta(hours=4)
    (timer,) = sql("SELECT * FROM timers WHERE case_id = :id", id=ref.case_id)
    assert (timer.bpmn_id, timer.kind, timer.status, as_utc(timer.due_at)) == (
        "dispatch_deadline", "duration", "pending", dispatched_at + timedelta(hours=4))

    clock.advance(hours=3, minutes=59, seconds=59)
    ref = each_bus.handle(c.CompleteHumanTask(dispatch, {"team": "t2"}, "dan"))
    assert ref.ready_tasks == ()
    (timer,) = sql("SELECT * FROM timers WHERE case_id = :id", id=ref.case_id)
    assert (timer.status, timer.fire_count, timer.fired_at) == ("cancelled", 0, None)
    assert (human_task(dispatch).state, human_task(dispatch).completed_by) == ("completed", "dan")
    assert [(e.event_type, e.bpmn_id) for e in events(ref.case_id)][-3:] == [
        ("task_completed", "dispatch_urgent"), ("timer_cancelled", "dispatch_deadline"), ("data_changed", None)]

    clock.advance(hours=2)
    before = snapshot(ref.case_id)
    assert TimerScheduler(each_bus).fire_due() == []
    assert each_bus.handle(c.FireTimer(timer.id)) == "already-fired"
    assert snapshot(ref.case_id) == before
    assert sql("SELECT * FROM human_tasks WHERE bpmn_id = 'supervise_overdue'") == []
    assert verify(each_bus, "R-1")[0].case_id == ref.case_id
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"


def test_urgent_overdue_escalates_exactly_at_the_deadline(each_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                          human_task: HumanTask, events: Rows,
                                                          snapshot: Snapshot, chain_problems: Problems) -> None:
    ref = start_report(each_bus)
    clock.advance(minutes=25)
    deadline = clock.now() + timedelta(hours=4)
    ref = register(each_bus, ref, severity=5)
    (dispatch,) = ref.ready_tasks
    assert as_utc(human_task(dispatch).due_at) == deadline
    (timer,) = sql("SELECT * FROM timers WHERE case_id = :id", id=ref.case_id)

    clock.set(deadline - timedelta(minutes=1))
    before = snapshot(ref.case_id)
    assert each_bus.handle(c.FireTimer(timer.id)) == "not-due"
    assert TimerScheduler(each_bus).fire_due() == []
    assert snapshot(ref.case_id) == before

    clock.advance(minutes=1)
    seen = len(events(ref.case_id))
    assert each_bus.handle(c.FireTimer(timer.id)) == "fired"
    (timer,) = sql("SELECT * FROM timers WHERE case_id = :id", id=ref.case_id)
    assert (timer.status, timer.fire_count, as_utc(timer.fired_at)) == ("fired", 1, deadline)
    assert human_task(dispatch).state == "cancelled"
    (supervise,) = sql("SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=ref.case_id)
    assert (supervise.bpmn_id, supervise.lane, supervise.candidate_group, supervise.due_at) == (
        "supervise_overdue", "supervisors", "supervisors", None)
    step = events(ref.case_id)[seen:]
    assert sorted((e.event_type, e.bpmn_id, e.actor) for e in step) == [
        ("task_cancelled", "dispatch_urgent", "scheduler"), ("task_ready", "supervise_overdue", "scheduler"),
        ("timer_fired", "dispatch_deadline", "scheduler")]

    after_fire = snapshot(ref.case_id)
    assert each_bus.handle(c.FireTimer(timer.id)) == "already-fired"
    assert snapshot(ref.case_id) == after_fire
    with pytest.raises(ConcurrencyConflict, match="already cancelled"):
        each_bus.handle(c.CompleteHumanTask(dispatch, {}, "dan"))

    ref = each_bus.handle(c.CompleteHumanTask(supervise.id, {"note": "called the department"}, "sam"))
    assert ref.ready_tasks == ()
    verify(each_bus, "R-1")
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    assert events(ref.case_id)[-1].event_type == "case_completed"
    assert chain_problems(ref.case_id) == []


def test_message_reaches_only_the_case_with_matching_correlation(each_bus: MessageBus, sql: Sql,
                                                                 snapshot: Snapshot, events: Rows) -> None:
    first = register(each_bus, start_report(each_bus, "R-1"), severity=1)
    first = each_bus.handle(c.CompleteHumanTask(first.ready_tasks[0], {}, "dan"))
    untouched = snapshot(first.case_id)

    with pytest.raises(NotFound, match="verification_done") as missing:
        verify(each_bus, "R-2")
    assert missing.value.field == "name"
    assert snapshot(first.case_id) == untouched

    second = register(each_bus, start_report(each_bus, "R-2"), severity=1)
    second = each_bus.handle(c.CompleteHumanTask(second.ready_tasks[0], {}, "dan"))
    untouched = snapshot(first.case_id)
    (delivered,) = verify(each_bus, "R-2")
    assert delivered.case_id == second.case_id
    assert snapshot(first.case_id) == untouched
    statuses = {r.id: r.status for r in sql("SELECT id, status FROM cases")}
    assert statuses == {first.case_id: "running", second.case_id: "completed"}

    (delivered,) = verify(each_bus, "R-1")
    assert delivered.case_id == first.case_id
    assert events(first.case_id)[-1].event_type == "case_completed"
    with pytest.raises(NotFound):
        verify(each_bus, "R-1")  # nobody waits any more and no process starts on this message


def test_a_message_nobody_expects_is_not_found(each_bus: MessageBus) -> None:
    with pytest.raises(NotFound) as missing:
        each_bus.handle(c.SendMessage("nobody_listens", {}, "collector"))
    assert missing.value.field == "name"
