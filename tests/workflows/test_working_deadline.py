"""A deadline computed in working time by a script drives a timer: lunch breaks and nights don't count."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fixture_types import Sql

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

CST = ZoneInfo("Asia/Shanghai")


def test_four_working_hours_from_monday_morning_end_at_three_in_the_afternoon(each_bus: MessageBus, sql: Sql,
                                                                                clock: FakeClock) -> None:
    assert clock.now().astimezone(CST) == datetime(2026, 11, 2, 8, 30, tzinfo=CST)  # a Monday, on duty
    ref = each_bus.handle(c.StartCase("working_deadline", {"limit_hours": 4}, "dispatcher"))
    (timer,) = sql("SELECT id, due_at FROM timers WHERE case_id = :id", id=ref.case_id)
    assert as_utc(timer.due_at) == datetime(2026, 11, 2, 15, 0, tzinfo=CST)  # 3.5 h before lunch + 0.5 h after
    scheduler = TimerScheduler(each_bus)
    clock.set(datetime(2026, 11, 2, 14, 59, tzinfo=CST))
    assert scheduler.fire_due() == []
    clock.advance(timedelta(minutes=1))
    assert scheduler.fire_due() == ["fired"]
    ready = {r.bpmn_id for r in sql("SELECT bpmn_id FROM human_tasks WHERE case_id = :id AND state = 'ready'",
                                    id=ref.case_id)}
    assert ready == {"dispose_problem", "supervise_overdue"}


def test_a_friday_evening_limit_runs_into_monday(each_bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 6, 17, 0, tzinfo=CST))
    ref = each_bus.handle(c.StartCase("working_deadline", {"limit_hours": 2}, "dispatcher"))
    (timer,) = sql("SELECT due_at FROM timers WHERE case_id = :id", id=ref.case_id)
    assert as_utc(timer.due_at) == datetime(2026, 11, 9, 9, 30, tzinfo=CST)
