"""Months and years in timer durations and cycles are calendar months: the day is kept and clamped to the month's
length, counted on the literal's own wall clock, and a cycle's occurrence n is the first plus n intervals."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from engine.bpmn.iso8601 import iso_duration_delta, parse_iso_datetime
from engine.bpmn.timer_starts import occurrences


def _starts(text: str, count: int = 5) -> list[str]:
    deployed = parse_iso_datetime("2026-12-01T00:00:00Z")
    return [d.isoformat() for d in itertools.islice(occurrences(text, deployed), count)]


def test_a_monthly_cycle_from_a_month_end_does_not_drift() -> None:
    assert _starts("R/2027-01-31T08:00:00+08:00/P1M") == [
        "2027-01-31T00:00:00+00:00", "2027-02-28T00:00:00+00:00", "2027-03-31T00:00:00+00:00",
        "2027-04-30T00:00:00+00:00", "2027-05-31T00:00:00+00:00"]


def test_a_monthly_cycle_keeps_the_local_day_and_hour_of_its_offset() -> None:
    # the 1st at 06:00 in UTC+8 is the last day of the month before at 22:00 UTC: months are added locally
    assert _starts("R3/2027-03-01T06:00:00+08:00/P1M") == [
        "2027-02-28T22:00:00+00:00", "2027-03-31T22:00:00+00:00", "2027-04-30T22:00:00+00:00"]


def test_a_leap_day_yearly_cycle_falls_on_feb_28_then_back_on_feb_29() -> None:
    assert _starts("R/2028-02-29T00:00:00Z/P1Y") == [
        "2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00", "2030-02-28T00:00:00+00:00",
        "2031-02-28T00:00:00+00:00", "2032-02-29T00:00:00+00:00"]


@pytest.mark.parametrize(("text", "start", "end"), [
    ("P1M", "2027-01-31T10:00:00+00:00", "2027-02-28T10:00:00+00:00"),
    ("P1M", "2028-01-31T10:00:00+00:00", "2028-02-29T10:00:00+00:00"),
    ("P1Y1M1DT1H", "2027-01-31T10:00:00+00:00", "2028-03-01T11:00:00+00:00"),
    ("P2W", "2027-01-31T10:00:00+00:00", "2027-02-14T10:00:00+00:00"),
    ("PT36H", "2027-01-31T10:00:00+00:00", "2027-02-01T22:00:00+00:00"),
])
def test_a_duration_lands_on_the_calendar_day(text: str, start: str, end: str) -> None:
    begin = datetime.fromisoformat(start)
    assert (begin + iso_duration_delta(text, begin)).isoformat() == end


def test_n_times_a_month_is_counted_from_the_start_not_step_by_step() -> None:
    start = datetime(2027, 1, 31, tzinfo=UTC)
    assert start + iso_duration_delta("P1M", start, 2) == datetime(2027, 3, 31, tzinfo=UTC)
    stepped = start + iso_duration_delta("P1M", start)
    assert stepped + iso_duration_delta("P1M", stepped) == datetime(2027, 3, 28, tzinfo=UTC)
    assert iso_duration_delta("PT1H", start, 0) == timedelta(0)


def test_months_past_the_calendar_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match="outside the calendar"):
        iso_duration_delta("P99999Y", datetime(2027, 1, 1, tzinfo=UTC))
