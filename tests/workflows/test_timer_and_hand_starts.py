"""A process with timer start events and a none start event (as assessment_round has): each timer starts only its
own branch, a hand start runs the none branch only and no timer branch; a process with timer start events alone is
refused by hand (422 naming ``process_id``: started by its timers) and still started by the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixture_types import Sql

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.scheduling.scheduler import TimerScheduler
from engine.service.accounts import Principal
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from engine.service.process_starts import startable

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "timer_hand_starts"
NEW_YEAR = datetime(2027, 1, 1, tzinfo=UTC)  # 08:00 in the city: both cycles' first occurrence


@pytest.fixture
def timer_bus(make_bus: Callable[..., MessageBus], clock: FakeClock) -> MessageBus:
    clock.set(datetime(2026, 12, 31, tzinfo=UTC))
    bus = make_bus()
    bus.handle(c.DeployProcesses(read_sources([FIXTURE]), "tests"))
    return bus


def ready(sql: Sql, case_id: int) -> list[str]:
    return sorted(r.bpmn_id for r in sql("SELECT bpmn_id FROM human_tasks WHERE case_id = :id AND state = 'ready'",
                                         id=case_id))


def finish(bus: MessageBus, sql: Sql, case_id: int) -> None:
    (task,) = sql("SELECT id FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=case_id)
    bus.handle(c.CompleteHumanTask(str(task.id), {}, "alice"))
    assert sql("SELECT status FROM cases WHERE id = :id", id=case_id)[0].status == "completed"


def test_each_timer_starts_its_branch_and_a_hand_start_the_none_branch_only(
        timer_bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    clock.set(NEW_YEAR)
    started = {ref.case_id for ref in TimerScheduler(timer_bus).start_timer_processes()}
    cases = sql("SELECT id, external_id FROM cases WHERE process_id = 'two_cycles_and_hand' ORDER BY external_id")
    assert {r.id for r in cases} == started and len(cases) == 2
    by_timer = {r.external_id.split("/")[1].split("@")[0]: r.id for r in cases}
    assert ready(sql, by_timer["every_month"]) == ["monthly_check"]
    assert ready(sql, by_timer["every_quarter"]) == ["quarterly_check"]

    by_hand = timer_bus.handle(c.StartCase("two_cycles_and_hand", {}, "alice")).case_id
    assert ready(sql, by_hand) == ["hand_check"]
    clock.set(datetime(2027, 2, 1, 1, tzinfo=UTC))  # the next month's occurrence: a case of its own, not this one
    TimerScheduler(timer_bus).start_timer_processes()
    assert ready(sql, by_hand) == ["hand_check"]
    for case_id in (by_hand, *by_timer.values()):
        finish(timer_bus, sql, case_id)


def test_a_timer_only_process_is_refused_by_hand_and_started_by_its_timer(
        timer_bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    with pytest.raises(InvalidCommand) as refused:
        timer_bus.handle(c.StartCase("timer_only_sweep", {}, "alice"))
    assert refused.value.field == "process_id" and "started by its timers" in str(refused.value)
    assert refused.value.http_status == 422
    assert sql("SELECT COUNT(*) AS n FROM cases WHERE process_id = 'timer_only_sweep'")[0].n == 0
    offered = {o.process_id for o in startable(timer_bus.deps, Principal("admin", "Admin", "admin"), with_forms=False)}
    assert "two_cycles_and_hand" in offered and "timer_only_sweep" not in offered  # the start page offers it not
    clock.set(datetime(2027, 1, 4, 1, tzinfo=UTC))
    (ref,) = [r for r in TimerScheduler(timer_bus).start_timer_processes()
              if sql("SELECT process_id FROM cases WHERE id = :id", id=r.case_id)[0].process_id == "timer_only_sweep"]
    assert ready(sql, ref.case_id) == ["sweep_square"]
    finish(timer_bus, sql, ref.case_id)
