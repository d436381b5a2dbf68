"""Every step on the clock, on a fixture model: a user task's ``stepLimit`` and its process's ``stepLimitDecision``
give the task its warning and due times (working or natural time) and its escalation group; the scheduler's sweep
records ``task_warned`` and ``task_overdue`` once each, and an overdue task shows in its escalation group's list.

Time moves only through the fake clock; every case replays at the end (conftest), task_warned/task_overdue included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fixture_types import HumanTask, Rows, Sql

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.views import HumanTaskView
from engine.persistence.db import as_utc
from engine.persistence.uow import command_scope
from engine.scheduling.scheduler import TimerScheduler
from engine.service import queries
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from engine.service.queries import TaskFilter

CST = ZoneInfo("Asia/Shanghai")
MODEL = Path(__file__).resolve().parent / "fixtures" / "step_clock"
MONDAY = datetime(2026, 11, 2, 8, 30, tzinfo=CST)  # the fake clock's start: a Monday, on duty


@pytest.fixture
def clocked(make_bus: Callable[..., MessageBus]) -> Callable[..., MessageBus]:
    """``clocked(**options)``: a verifying bus with the step-clock fixture model deployed."""

    def build(**options: object) -> MessageBus:
        bus = make_bus(**options)
        bus.handle(c.DeployProcesses(read_sources([MODEL]), "tests"))
        return bus

    return build


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, clocked: Callable[..., MessageBus]) -> MessageBus:
    return clocked() if request.param == "hot" else clocked(cache_size=0)


def _ready(sql: Sql, case_id: int) -> list[Any]:
    return sql("SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready' ORDER BY created_at", id=case_id)


def _clock_events(events: Rows, case_id: int) -> list[tuple[str, dict[str, Any]]]:
    return [(e.event_type, json.loads(e.data)) for e in events(case_id)
            if e.event_type in ("task_warned", "task_overdue")]


def test_a_limit_in_working_hours_warns_then_goes_overdue_once(bus: MessageBus, sql: Sql, events: Rows,
                                                               clock: FakeClock) -> None:
    assert clock.now().astimezone(CST) == MONDAY
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    (task,) = _ready(sql, ref.case_id)
    assert (task.bpmn_id, task.step, task.escalate_to) == ("verify_report", "verify", "shift_lead")
    assert as_utc(task.warn_at) == MONDAY + timedelta(hours=1)  # half of 2 working hours
    assert as_utc(task.due_at) == MONDAY + timedelta(hours=2)
    scheduler = TimerScheduler(bus)
    assert scheduler.clock_tasks() == []
    clock.set(MONDAY + timedelta(minutes=59))
    assert scheduler.clock_tasks() == []
    clock.set(MONDAY + timedelta(hours=1))
    (done,) = scheduler.clock_tasks()
    assert done.warned == (task.id,) and done.overdue == ()
    assert scheduler.clock_tasks() == []  # idempotent: a second sweep writes nothing
    clock.set(MONDAY + timedelta(hours=2))
    (done,) = scheduler.clock_tasks()
    assert done.warned == () and done.overdue == (task.id,)
    assert scheduler.clock_tasks() == []
    due, warn = ((MONDAY + timedelta(hours=h)).astimezone(UTC) for h in (2, 1))
    assert _clock_events(events, ref.case_id) == [
        ("task_warned", {"task": task.id, "step": "verify", "warn_at": warn.isoformat(),
                         "due_at": due.isoformat()}),
        ("task_overdue", {"task": task.id, "step": "verify", "due_at": due.isoformat(),
                          "escalate_to": "shift_lead"}),
    ]
    (row,) = _ready(sql, ref.case_id)
    assert as_utc(row.warned_at) == MONDAY + timedelta(hours=1) and as_utc(row.overdue_at) == due


def test_a_late_sweep_writes_both_the_warning_and_the_overdue(bus: MessageBus, events: Rows,
                                                              clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "urgent"}, "reporter"))  # 1 working hour
    clock.set(MONDAY + timedelta(hours=5))  # lunch: 08:30 + 1 h = 09:30 long passed
    (done,) = TimerScheduler(bus).clock_tasks()
    assert len(done.warned) == 1 and done.overdue == done.warned
    assert [kind for kind, _ in _clock_events(events, ref.case_id)] == ["task_warned", "task_overdue"]


def test_the_working_calendar_skips_lunch_and_natural_hours_do_not(bus: MessageBus, sql: Sql,
                                                                   clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 2, 11, 0, tzinfo=CST))
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    (verify,) = _ready(sql, ref.case_id)
    assert as_utc(verify.warn_at) == datetime(2026, 11, 2, 12, 0, tzinfo=CST)  # 1 working hour, to the break
    assert as_utc(verify.due_at) == datetime(2026, 11, 2, 15, 30, tzinfo=CST)  # 2 h, lunch 12:00–14:30 skipped
    clock.set(datetime(2026, 11, 2, 12, 30, tzinfo=CST))
    bus.handle(c.CompleteHumanTask(verify.id, {}, "collector1"))
    (note,) = _ready(sql, ref.case_id)
    assert (note.step, note.escalate_to) == ("note", "supervisor")
    assert as_utc(note.due_at) == datetime(2026, 11, 2, 15, 30, tzinfo=CST)  # 3 natural hours, lunch counts
    assert as_utc(note.warn_at) == datetime(2026, 11, 2, 14, 54, tzinfo=CST)  # 0.8 of them


def test_a_task_whose_timer_owns_the_deadline_keeps_it(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    for _ in range(2):
        (task,) = _ready(sql, ref.case_id)
        bus.handle(c.CompleteHumanTask(task.id, {}, "someone"))
    (dispose,) = _ready(sql, ref.case_id)
    assert dispose.bpmn_id == "dispose_problem"
    assert as_utc(dispose.due_at) == MONDAY + timedelta(hours=10)  # the boundary timer's, not 1 working day
    assert as_utc(dispose.warn_at) == MONDAY + timedelta(hours=6)  # 0.6 of the time to it
    assert dispose.escalate_to == "supervisor"


def test_no_rule_and_no_decision_mean_no_limit(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    for _ in range(3):
        (task,) = _ready(sql, ref.case_id)
        bus.handle(c.CompleteHumanTask(task.id, {}, "someone"))
    (other,) = _ready(sql, ref.case_id)
    assert (other.step, other.warn_at, other.due_at, other.escalate_to) == ("unruled", None, None, None)
    plain = bus.handle(c.StartCase("step_clock_plain", {}, "reporter"))
    (verify,) = _ready(sql, plain.case_id)
    assert (verify.step, verify.warn_at, verify.due_at) == ("verify", None, None)
    clock.advance(timedelta(days=30))
    assert TimerScheduler(bus).clock_tasks() == []
    listed = queries.task_list(bus.deps, TaskFilter("auditor", None), clock.now())
    assert {t["bpmn_id"]: t["light"] for t in listed["tasks"]} == {"other_step": None, "plain_verify": None}


def test_a_task_completed_before_the_sweep_is_skipped(bus: MessageBus, sql: Sql, events: Rows,
                                                      clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    (verify,) = _ready(sql, ref.case_id)
    clock.set(MONDAY + timedelta(hours=3))
    bus.handle(c.CompleteHumanTask(verify.id, {}, "collector1"))
    assert TimerScheduler(bus).clock_tasks() == []  # the note task is fresh; the verify task has ended
    assert _clock_events(events, ref.case_id) == []


def test_an_overdue_task_shows_in_its_escalation_groups_list_flagged(bus: MessageBus, sql: Sql,
                                                                     clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    (verify,) = _ready(sql, ref.case_id)
    leads = frozenset({"shift_lead"})
    listed = queries.task_list(bus.deps, TaskFilter("lead1", leads), clock.now())
    assert listed["total"] == 0  # not overdue: the collectors' task only
    clock.set(MONDAY + timedelta(hours=1, minutes=30))
    collectors = queries.task_list(bus.deps, TaskFilter("c1", frozenset({"collector"})), clock.now())
    assert [t["light"] for t in collectors["tasks"]] == ["yellow"]
    assert collectors["counts"] == {"green": 0, "yellow": 1, "red": 0, "grey": 0}
    clock.set(MONDAY + timedelta(hours=2))
    assert queries.task_list(bus.deps, TaskFilter("lead1", leads), clock.now())["total"] == 0  # not yet swept
    TimerScheduler(bus).clock_tasks()
    listed = queries.task_list(bus.deps, TaskFilter("lead1", leads), clock.now())
    (task,) = listed["tasks"]
    assert (task["id"], task["light"], task["overdue"], task["escalated"]) == (verify.id, "red", True, True)
    supervised = queries.task_list(bus.deps, TaskFilter("lead1", leads, escalated=True), clock.now())
    assert [t["id"] for t in supervised["tasks"]] == [verify.id]  # the 超期督办 list
    others = queries.task_list(bus.deps, TaskFilter("sup1", frozenset({"supervisor"}), escalated=True), clock.now())
    assert others["total"] == 0
    red = queries.task_list(bus.deps, TaskFilter("c1", frozenset({"collector"}), light="red"), clock.now())
    assert red["total"] == 1 and red["counts"]["red"] == 1


def test_the_stored_rows_restore_the_clock(clocked: Callable[..., MessageBus], sql: Sql, human_task: HumanTask,
                                           clock: FakeClock) -> None:
    hot = clocked()
    ref = hot.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    (verify,) = _ready(sql, ref.case_id)
    clock.set(MONDAY + timedelta(hours=2))
    TimerScheduler(hot).clock_tasks()
    cold = clocked(cache_size=0)  # restores the case from its rows: the clock's steps left the workflow as it was
    cold.handle(c.CompleteHumanTask(verify.id, {}, "collector1"))
    assert human_task(verify.id).state == "completed"
    (note,) = _ready(sql, ref.case_id)
    assert note.step == "note" and note.warned_at is None and note.overdue_at is None


def test_replay_re_reads_the_clocks_steps(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    clock.set(MONDAY + timedelta(hours=1))
    TimerScheduler(bus).clock_tasks()
    clock.set(MONDAY + timedelta(hours=2))
    TimerScheduler(bus).clock_tasks()
    (verify,) = _ready(sql, ref.case_id)
    bus.handle(c.CompleteHumanTask(verify.id, {}, "collector1"))
    result = verify_case(bus.deps, ref.case_id)
    assert result.verified, result.divergence and result.divergence.describe()
    commands = [r.command for r in sql("SELECT command FROM case_events WHERE case_id = :id AND event_type IN"
                                       " ('task_warned', 'task_overdue') ORDER BY seq", id=ref.case_id)]
    assert commands == ["clock_tasks", "clock_tasks"]  # each its own step


def test_offering_a_task_again_keeps_what_the_clock_recorded(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("step_clock_demo", {"urgency": "normal"}, "reporter"))
    clock.set(MONDAY + timedelta(hours=2))
    TimerScheduler(bus).clock_tasks()
    (row,) = _ready(sql, ref.case_id)
    again = HumanTaskView(row.id, row.bpmn_id, row.name, row.lane, row.candidate_group, "ready", step="verify",
                          warn_at=clock.now() + timedelta(hours=1), due_at=clock.now() + timedelta(hours=2),
                          escalate_to="shift_lead")
    with command_scope(), bus.deps.uow() as uow:  # the projection rewriting the row, as a step that re-offers it
        uow.store.upsert_ready_tasks(ref.case_id, row.process_version_id, [again], clock.now())
    (after,) = _ready(sql, ref.case_id)
    assert (as_utc(after.warned_at), as_utc(after.overdue_at)) == (as_utc(row.warned_at), as_utc(row.overdue_at))
    assert after.warned_at is not None and after.overdue_at is not None
    assert as_utc(after.warn_at) == as_utc(row.warn_at)  # its warning time stays
    assert TimerScheduler(bus).clock_tasks() == []  # nothing recorded twice
