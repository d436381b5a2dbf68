"""reminders (non-interrupting R3/PT1H cycle) and scheduled_inspection (date timer from case data)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fixture_types import HumanTask, Rows, Snapshot, Sql, TaskData

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus


def timer_row(sql: Sql, case_id: int) -> sa.Row:
    (row,) = sql("SELECT * FROM timers WHERE case_id = :id", id=case_id)
    return row


def test_hourly_reminder_fires_three_times_then_stops(each_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                      events: Rows, task_data: TaskData,
                                                      human_task: HumanTask) -> None:
    started = clock.now()
    ref = each_bus.handle(c.StartCase("reminders", {}, "alice"))
    (handle,) = ref.ready_tasks
    timer = timer_row(sql, ref.case_id)
    assert (timer.bpmn_id, timer.kind, timer.status, as_utc(timer.due_at), timer.fire_count) == (
        "hourly_reminder", "cycle", "pending", started + timedelta(hours=1), 0)
    scheduler = TimerScheduler(each_bus)

    for firing in (1, 2, 3):
        clock.advance(hours=1)
        assert scheduler.fire_due() == ["fired"]
        timer = timer_row(sql, ref.case_id)
        assert (timer.fire_count, as_utc(timer.fired_at)) == (firing, clock.now())
        if firing < 3:
            assert (timer.status, as_utc(timer.due_at)) == ("pending", clock.now() + timedelta(hours=1))
        else:
            assert timer.status == "fired"
        assert task_data(ref.case_id, "count_reminder") == [{"reminded": True}] * firing
        fired = [e for e in events(ref.case_id) if e.event_type == "timer_fired"]
        assert [e.task_id for e in fired] == [timer.task_id] * firing
        assert human_task(handle).state == "ready"  # non-interrupting: the complaint stays open

    clock.advance(hours=1)
    assert scheduler.fire_due() == []
    assert sql("SELECT * FROM timers WHERE status = 'pending'") == []
    assert len(task_data(ref.case_id, "count_reminder")) == 3

    each_bus.handle(c.CompleteHumanTask(handle, {"resolution": "called back"}, "bob"))
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    assert events(ref.case_id)[-1].event_type == "case_completed"
    assert timer_row(sql, ref.case_id).status == "fired"


def test_every_cycle_firing_is_audited_with_its_element_id(each_bus: MessageBus, clock: FakeClock,
                                                           events: Rows) -> None:
    ref = each_bus.handle(c.StartCase("reminders", {}, "alice"))
    scheduler = TimerScheduler(each_bus)
    for _ in range(3):
        clock.advance(hours=1)
        scheduler.fire_due()
    fired = [e for e in events(ref.case_id) if e.event_type == "timer_fired"]
    assert [e.bpmn_id for e in fired] == ["hourly_reminder"] * 3


def test_late_scheduler_audits_every_missed_firing(each_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                   events: Rows, task_data: TaskData) -> None:
    ref = each_bus.handle(c.StartCase("reminders", {}, "alice"))
    clock.advance(hours=3, minutes=5)  # the scheduler was down while all three reminders came due
    scheduler = TimerScheduler(each_bus)
    for _ in range(5):
        if not scheduler.fire_due():
            break
    assert len(task_data(ref.case_id, "count_reminder")) == 3  # every missed reminder ran
    timer = timer_row(sql, ref.case_id)
    fired = [e for e in events(ref.case_id) if e.event_type == "timer_fired"]
    assert (timer.status, len(fired), timer.fire_count) == ("fired", 3, 3)


def test_handling_the_complaint_early_cancels_the_reminders(each_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                            events: Rows, task_data: TaskData) -> None:
    ref = each_bus.handle(c.StartCase("reminders", {}, "alice"))
    scheduler = TimerScheduler(each_bus)
    clock.advance(hours=1)
    assert scheduler.fire_due() == ["fired"]
    clock.advance(minutes=30)
    each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {}, "bob"))
    timer = timer_row(sql, ref.case_id)
    assert (timer.status, timer.fire_count) == ("cancelled", 1)
    tail = [(e.event_type, e.bpmn_id) for e in events(ref.case_id)][-4:]
    assert tail == [("task_completed", "handle_complaint"), ("timer_cancelled", "hourly_reminder"),
                    ("data_changed", None), ("case_completed", None)]
    clock.advance(hours=3)
    assert scheduler.fire_due() == []
    assert each_bus.handle(c.FireTimer(timer.id)) == "already-fired"
    assert len(task_data(ref.case_id, "count_reminder")) == 1


def test_reminder_never_fires_when_handled_within_the_hour(each_bus: MessageBus, sql: Sql,
                                                           clock: FakeClock) -> None:
    ref = each_bus.handle(c.StartCase("reminders", {}, "alice"))
    clock.advance(minutes=59, seconds=59)
    each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {}, "bob"))
    timer = timer_row(sql, ref.case_id)
    assert (timer.status, timer.fire_count, timer.fired_at) == ("cancelled", 0, None)
    clock.advance(hours=1)
    assert TimerScheduler(each_bus).fire_due() == []


def test_inspection_waits_for_the_date_given_with_an_offset(each_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                            events: Rows, snapshot: Snapshot,
                                                            human_task: HumanTask) -> None:
    due = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # 14:00 in Beijing
    ref = each_bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": "2026-11-02T14:00:00+08:00"}, "ann"))
    assert ref.ready_tasks == ()
    timer = timer_row(sql, ref.case_id)
    assert (timer.bpmn_id, timer.kind, timer.status, as_utc(timer.due_at)) == (
        "wait_until_inspection", "date", "pending", due)
    waiting = events(ref.case_id)[-2]
    assert (waiting.event_type, json.loads(waiting.data)) == (
        "timer_waiting", {"due_at": "2026-11-02T06:00:00+00:00", "kind": "date"})

    clock.set(due - timedelta(seconds=1))
    before = snapshot(ref.case_id)
    scheduler = TimerScheduler(each_bus)
    assert scheduler.fire_due() == []
    assert each_bus.handle(c.FireTimer(timer.id)) == "not-due"
    assert snapshot(ref.case_id) == before

    clock.advance(seconds=1)
    assert scheduler.fire_due() == ["fired"]
    timer = timer_row(sql, ref.case_id)
    assert (timer.status, timer.fire_count, as_utc(timer.fired_at)) == ("fired", 1, due)
    (inspect,) = sql("SELECT id FROM human_tasks WHERE case_id = :id", id=ref.case_id)
    row = human_task(inspect.id)
    assert (row.bpmn_id, row.name, row.state, row.lane, row.candidate_group, as_utc(row.created_at)) == (
        "inspect_site", "Inspect the site", "ready", None, None, due)

    each_bus.handle(c.CompleteHumanTask(inspect.id, {"findings": "kerb repaired"}, "ivan"))
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    assert [e.event_type for e in events(ref.case_id)][-5:] == [
        "timer_fired", "task_ready", "task_completed", "data_changed", "case_completed"]


def test_inspection_date_already_past_makes_the_site_visit_ready_at_once(each_bus: MessageBus, sql: Sql,
                                                                         clock: FakeClock) -> None:
    past = (clock.now() - timedelta(days=1)).astimezone(UTC).isoformat()
    ref = each_bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": past}, "ann"))
    (inspect,) = ref.ready_tasks
    assert sql("SELECT bpmn_id FROM human_tasks WHERE id = :id", id=inspect)[0].bpmn_id == "inspect_site"
    assert sql("SELECT * FROM timers WHERE status = 'pending'") == []
