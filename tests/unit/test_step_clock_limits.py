"""The step clock's arithmetic: a decision's answer as a limit, warning and due times, and the task's light."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.domain.clock import FakeClock
from engine.domain.step_limits import StepLimit, clock_task, natural_deadline, step_limit, task_light
from engine.domain.working_time import HolidayCalendar, WorkingTime

CST = ZoneInfo("Asia/Shanghai")
CALENDAR = Path(__file__).resolve().parents[2] / "config" / "calendar" / "china.json"
WT = WorkingTime(HolidayCalendar.from_file(CALENDAR))


def test_an_answer_becomes_a_limit_and_a_bad_one_none() -> None:
    answer = {"limit_amount": 2, "limit_unit": "working_hours", "warning_share": 0.5, "escalate_to": "shift_lead"}
    assert step_limit(answer) == StepLimit(2.0, "working_hours", 0.5, "shift_lead")
    assert step_limit([answer]) == step_limit(answer)  # a multi-hit policy's first hit
    assert step_limit({"limit_amount": 1, "limit_unit": "natural_days"}) == StepLimit(1.0, "natural_days", 0.8, None)
    odd_share = step_limit({"limit_amount": 1, "limit_unit": "natural_days", "warning_share": 1.5})
    assert odd_share is not None and odd_share.warning_share == 0.8
    bads: tuple[object, ...] = (None, [], {}, {"limit_amount": -1, "limit_unit": "natural_days"},
                {"limit_amount": 1, "limit_unit": "fortnights"}, {"limit_amount": True, "limit_unit": "natural_days"},
                {"limit_amount": "2", "limit_unit": "natural_days"})
    for bad in bads:
        assert step_limit(bad) is None, bad


def test_working_hours_skip_the_lunch_break() -> None:
    start = datetime(2026, 11, 2, 11, 0, tzinfo=CST)  # a Monday
    clock = clock_task("verify", StepLimit(2, "working_hours", 0.5, "shift_lead"), start, WT.deadline)
    assert clock.warn_at == datetime(2026, 11, 2, 12, 0, tzinfo=CST)
    assert clock.due_at == datetime(2026, 11, 2, 15, 30, tzinfo=CST)
    assert clock.escalate_to == "shift_lead"


def test_natural_time_counts_every_hour_and_working_units_need_a_calendar() -> None:
    start = datetime(2026, 11, 7, 22, 0, tzinfo=CST)  # a Saturday night
    clock = clock_task("note", StepLimit(10, "natural_hours", 0.8), start, natural_deadline)
    assert clock.due_at == start + timedelta(hours=10) and clock.warn_at == start + timedelta(hours=8)
    with pytest.raises(ValueError, match="calendar"):
        clock_task("verify", StepLimit(1, "working_days"), start, natural_deadline)


def test_a_deadline_the_model_owns_is_kept_and_warned_by_share() -> None:
    start = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    own = start + timedelta(hours=10)
    clock = clock_task("dispose", StepLimit(1, "working_days", 0.6, "supervisor"), start, WT.deadline, own_due=own)
    assert (clock.warn_at, clock.due_at, clock.escalate_to) == (start + timedelta(hours=6), own, "supervisor")
    assert clock_task("dispose", None, start, WT.deadline, own_due=own).due_at == own  # no rule: the timer alone


def test_no_limit_no_light() -> None:
    clock = clock_task("close", None, datetime(2026, 11, 2, tzinfo=UTC), WT.deadline)
    assert (clock.warn_at, clock.due_at) == (None, None)
    assert task_light(None, None, datetime(2026, 11, 2, tzinfo=UTC)) is None


def test_the_light_moves_with_the_clock() -> None:
    clock = FakeClock(datetime(2026, 11, 2, 0, 0, tzinfo=UTC))
    warn, due = clock.now() + timedelta(hours=1), clock.now() + timedelta(hours=2)
    seen = []
    for _ in range(5):
        seen.append(task_light(warn, due, clock.now()))
        clock.advance(timedelta(minutes=30))
    assert seen == ["green", "green", "yellow", "yellow", "red"]
    assert task_light(warn, due, clock.now(), suspended=True) == "grey"
    assert task_light(None, due, clock.now() - timedelta(hours=3)) == "green"  # no warning time: green until due
