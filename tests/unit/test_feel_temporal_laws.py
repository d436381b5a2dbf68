"""Laws of FEEL's temporal arithmetic, checked with hypothesis: adding and taking away a duration, the duration
between two moments, month arithmetic that clamps the day, the calendar against Python's, and text round trips."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from feel import temporal
from feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from feel.temporal.dates import MAX_YEAR, MIN_YEAR, days_in_month

NANOS_PER_DAY = 86_400 * 10**9

dates = st.builds(
    lambda year, month, day: FeelDate(year, month, min(day, days_in_month(year, month))),
    st.integers(1, 9999),
    st.integers(1, 12),
    st.integers(1, 31),
)
any_year_dates = st.builds(
    lambda year, month, day: FeelDate(year, month, min(day, days_in_month(year, month))),
    st.integers(MIN_YEAR, MAX_YEAR),
    st.integers(1, 12),
    st.integers(1, 31),
)
nanos_of_day = st.integers(0, NANOS_PER_DAY - 1)
offsets = st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda minutes: minutes * 60))


@st.composite
def date_times(draw: st.DrawFn, offset: st.SearchStrategy[int | None] = offsets) -> FeelDateTime:
    """Local or fixed-offset date-times, nanosecond precision."""
    seconds, nanos = divmod(draw(nanos_of_day), 10**9)
    time = FeelTime(seconds // 3600, seconds // 60 % 60, seconds % 60, nanos, draw(offset))
    return FeelDateTime(draw(dates), time)


day_time_durations = st.integers(-3_000 * NANOS_PER_DAY, 3_000 * NANOS_PER_DAY).map(DaysTimeDuration)


@given(date_times(), day_time_durations)
def test_adding_then_taking_away_a_days_time_duration_is_no_change(moment: FeelDateTime, x: DaysTimeDuration) -> None:
    assert temporal.subtract(temporal.add(moment, x), x) == moment


@given(date_times(offset=st.just(None)), date_times(offset=st.just(None)))
def test_a_moment_less_the_distance_to_another_is_the_other(d: FeelDateTime, e: FeelDateTime) -> None:
    distance = temporal.subtract(e, d)
    assert isinstance(distance, DaysTimeDuration)
    assert temporal.subtract(e, distance) == d
    assert temporal.add(d, distance) == e


@given(date_times(offset=st.integers(-50_400, 50_400)), date_times(offset=st.integers(-50_400, 50_400)))
def test_durations_between_aware_moments_compare_like_the_moments(d: FeelDateTime, e: FeelDateTime) -> None:
    distance = temporal.subtract(e, d)
    assert isinstance(distance, DaysTimeDuration)
    assert temporal.compare(e, d) == (distance.nanos > 0) - (distance.nanos < 0)
    assert temporal.equal(temporal.add(d, distance), e) is True


@given(
    st.sampled_from(["Europe/Paris", "Asia/Shanghai", "America/New_York", "Australia/Melbourne"]),
    date_times(offset=st.just(None)),
    day_time_durations,
)
def test_zoned_arithmetic_moves_the_instant(zone: str, local: FeelDateTime, x: DaysTimeDuration) -> None:
    moment = FeelDateTime(local.date, FeelTime(local.time.hour, local.time.minute, local.time.second, 0, None, zone))
    moved = temporal.add(moment, x)
    assert isinstance(moved, FeelDateTime) and moved.time.zone == zone
    assert temporal.subtract(moved, moment) == x
    assert temporal.equal(temporal.subtract(moved, x), moment) is True


@given(dates, st.integers(-1200, 1200))
def test_months_added_to_a_date_clamp_the_day(date: FeelDate, months: int) -> None:
    moved = temporal.add(date, YearsMonthsDuration(months))
    assert isinstance(moved, FeelDate)
    assert (moved.year * 12 + moved.month) - (date.year * 12 + date.month) == months
    assert moved.day == min(date.day, days_in_month(moved.year, moved.month))
    assert temporal.add(YearsMonthsDuration(months), date) == moved


@given(dates, st.integers(-100_000, 100_000))
def test_whole_days_between_dates(date: FeelDate, days: int) -> None:
    moved = temporal.add(date, DaysTimeDuration(days * NANOS_PER_DAY))
    assert isinstance(moved, FeelDate)
    assert temporal.subtract(moved, date) == DaysTimeDuration(days * NANOS_PER_DAY)


@given(dates)
def test_the_calendar_agrees_with_pythons(date: FeelDate) -> None:
    python = dt.date(date.year, date.month, date.day)
    assert date.days() == python.toordinal() - dt.date(1970, 1, 1).toordinal()
    assert date.isoweekday() == python.isoweekday()
    assert date.iso_week() == python.isocalendar()[1]
    assert date.day_of_year() == python.timetuple().tm_yday
    assert date.iso() == python.isoformat()


@given(any_year_dates)
def test_day_numbers_round_trip_over_feels_whole_range(date: FeelDate) -> None:
    assert FeelDate.from_days(date.days()) == date
    assert temporal.parse_literal(date.iso()) == date


@given(st.one_of(date_times(), day_time_durations, st.integers(-(10**9), 10**9).map(YearsMonthsDuration)))
def test_string_forms_read_back(value: object) -> None:
    assert temporal.parse_literal(temporal.to_iso(value)) == value
