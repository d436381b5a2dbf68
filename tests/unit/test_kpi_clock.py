"""Role steps measured all at once (``city.kpi.clock``) give exactly ``WorkingClock``'s verdicts."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from city.kpi.clock import EPOCH, kept_to, moment
from engine.domain.working_time import HolidayCalendar, WorkingClock, WorkingTime

CST = ZoneInfo("Asia/Shanghai")
WT = WorkingTime(HolidayCalendar.from_file(Path(__file__).resolve().parents[2] / "config" / "calendar" / "china.json"))
CLOCK = WorkingClock(WT, date(2026, 9, 24), date(2026, 10, 25))  # National Day and a make-up Saturday inside


def _micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def _expected(steps: list[tuple[datetime, datetime]], unit: str, amount: float) -> list[bool]:
    return [CLOCK.elapsed(a, b, unit) <= amount for a, b in steps]


def _measured(steps: list[tuple[datetime, datetime]], unit: str, amount: float) -> list[bool] | None:
    found = kept_to(CLOCK, [_micros(a) for a, _ in steps], [_micros(b) for _, b in steps], unit, amount)
    return None if found is None else [bool(v) for v in found]


def test_moments_round_trip_exactly() -> None:
    at = datetime(2026, 10, 9, 8, 29, 59, 999999, tzinfo=CST)
    assert moment(_micros(at)) == at and moment(_micros(at)).timestamp() == at.timestamp()


def test_random_steps_get_the_clocks_verdicts() -> None:
    rng = random.Random(5)
    start = datetime(2026, 9, 24, tzinfo=CST)
    steps = []
    for _ in range(5000):
        began = start + timedelta(seconds=rng.randrange(30 * 86400), microseconds=rng.randrange(10**6))
        steps.append((began, began + timedelta(seconds=rng.randrange(-600, 4 * 86400))))
    steps = [(a, b) for a, b in steps if b.astimezone(CST).date() <= date(2026, 10, 25)]
    for unit, amount in (("working_hours", 1), ("working_hours", 0.5), ("working_hours", 2), ("working_days", 1)):
        assert _measured(steps, unit, amount) == _expected(steps, unit, amount)


def test_steps_exactly_at_the_limit_and_at_window_edges() -> None:
    def cst(d: int, hh: int, mm: int = 0, us: int = 0) -> datetime:
        return datetime(2026, 10, d, hh, mm, 0, us, tzinfo=CST)

    steps = [(cst(9, 9), cst(9, 10)), (cst(9, 9), cst(9, 10, 0, 1)), (cst(9, 11), cst(9, 14, 30)),
             (cst(9, 17), cst(10, 9)), (cst(1, 9), cst(8, 9)), (cst(9, 0), cst(9, 8, 30)), (cst(9, 10), cst(9, 9)),
             (cst(9, 8, 30), cst(9, 9, 30)), (cst(9, 12), cst(9, 13, 59, 999999)), (cst(9, 23, 59, 999999), cst(10, 0))]
    for unit, amount in (("working_hours", 1), ("working_hours", 0.5), ("working_days", 1)):
        assert _measured(steps, unit, amount) == _expected(steps, unit, amount)


@settings(max_examples=200, deadline=None)
@given(first=st.datetimes(min_value=datetime(2026, 9, 24), max_value=datetime(2026, 10, 24)),
       minutes=st.integers(min_value=-60, max_value=60 * 24 * 6), amount=st.sampled_from([0.5, 1, 2, 7]))
def test_any_step_gets_the_clocks_verdict(first: datetime, minutes: int, amount: float) -> None:
    began = first.replace(tzinfo=CST)
    ended = min(began + timedelta(minutes=minutes), datetime(2026, 10, 25, 23, 59, tzinfo=CST))
    assert _measured([(began, ended)], "working_hours", amount) == _expected([(began, ended)], "working_hours", amount)


def test_moments_outside_the_clocks_days_or_a_changing_offset_are_left_to_the_caller() -> None:
    late = datetime(2026, 10, 26, 9, tzinfo=CST)
    assert kept_to(CLOCK, [_micros(late)], [_micros(late)], "working_hours", 1) is None
    assert kept_to(CLOCK, [], [], "working_hours", 1) == []
    berlin = WorkingClock(WorkingTime(WT.calendar, zone=ZoneInfo("Europe/Berlin")), date(2026, 10, 20),
                          date(2026, 10, 30))  # summer time ends on 25 October
    noon = _micros(datetime(2026, 10, 21, 12, tzinfo=UTC))
    assert kept_to(berlin, [noon], [noon], "working_hours", 1) is None
