"""FEEL temporal values (DMN 1.5 §10.3.2.3): literals, string forms, arithmetic, comparison and members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from feel import temporal
from feel.errors import FeelError
from feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration


def lit(text: str) -> object:
    return temporal.parse_literal(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2017-01-01", "date"),
        ("13:10:20.123456789@Europe/Paris", "time"),
        ("10:20:00+02:00", "time"),
        ("10:20:00Z", "time"),
        ("10:20:00", "time"),
        ("2018-12-10T10:30:00Z", "date and time"),
        ("2018-12-10T10:30:00.000000001@Asia/Shanghai", "date and time"),
        ("2018-12-10T10:30:00", "date and time"),
        ("P1DT2H", "days and time duration"),
        ("-PT1.5S", "days and time duration"),
        ("P1Y2M", "years and months duration"),
        ("-P3M", "years and months duration"),
    ],
)
def test_literals_keep_their_kind_and_text(text: str, kind: str) -> None:
    value = lit(text)
    assert temporal.is_temporal(value)
    assert temporal.type_name(value) == kind
    assert temporal.to_iso(value) == text


@pytest.mark.parametrize(
    ("text", "iso"),
    [("P14M", "P1Y2M"), ("PT25H", "P1DT1H"), ("PT0S", "PT0S"), ("P0Y", "P0M"), ("PT90M", "PT1H30M"), ("P0D", "PT0S")],
)
def test_durations_are_normalised(text: str, iso: str) -> None:
    assert temporal.to_iso(lit(text)) == iso


@pytest.mark.parametrize(
    "text",
    [
        "2017-13-01",
        "2017-02-30",
        "25:00:00",
        "10:61:00",
        "10:00:00@Mars/Olympus",
        "P",
        "PT",
        "P1Y2D",
        "P1DT",
        "10:00:00+15:00",
        "2017-1-1",
        "",
        "today",
    ],
)
def test_bad_literals_are_refused(text: str) -> None:
    with pytest.raises(FeelError):
        lit(text)


def test_nanoseconds_survive_arithmetic_and_text() -> None:
    value = temporal.add(lit("2018-12-10T10:30:00.000000001Z"), lit("PT0.000000002S"))
    assert temporal.to_iso(value) == "2018-12-10T10:30:00.000000003Z"


def test_date_time_minus_date_time_is_a_days_time_duration() -> None:
    assert temporal.subtract(lit("2018-12-10T10:30:00Z"), lit("2018-12-09T09:00:00Z")) == DaysTimeDuration(
        (86_400 + 5400) * 10**9
    )


def test_zoned_and_offset_date_times_compare_by_instant() -> None:
    paris = lit("2018-12-10T11:30:00@Europe/Paris")
    utc = lit("2018-12-10T10:30:00Z")
    assert temporal.compare(paris, utc) == 0
    assert temporal.compare(paris, lit("2018-12-10T10:30:01Z")) == -1
    summer = lit("2018-07-10T12:30:00@Europe/Paris")
    assert temporal.compare(summer, lit("2018-07-10T10:30:00Z")) == 0
    assert temporal.equal(lit("2018-12-10T12:30:00+01:00"), lit("2018-12-10T11:30:00Z")) is True
    assert temporal.equal(summer, lit("2018-07-10T12:30:00@Europe/Paris")) is True
    assert temporal.equal(lit("2018-07-10T06:30:00@America/New_York"), summer) is True  # the same instant
    assert temporal.equal(lit("2018-07-10T12:30:00@America/New_York"), summer) is False


def test_equality_is_the_same_instant_whatever_names_the_zone() -> None:
    # valuedt is the instant (DMN 1.5 §10.3.2.3.5); XPath's dateTime-equal examples
    assert temporal.equal(lit("2018-12-08T00:00:00+00:00"), lit("2018-12-08T00:00:00@Etc/UTC")) is True
    assert temporal.equal(lit("2002-04-02T12:00:00-01:00"), lit("2002-04-02T17:00:00+04:00")) is True
    assert temporal.equal(lit("2002-04-02T12:00:00@Australia/Melbourne"), lit("2002-04-02T12:00:00@Australia/Sydney"))
    assert temporal.equal(lit("2018-10-08T00:00:00+01:00"), lit("2018-10-08T00:00:00@Europe/Paris")) is False  # DST
    assert temporal.equal(lit("10:30:00Z"), lit("10:30:00+00:00")) is True
    assert temporal.equal(lit("10:30:00+01:00"), lit("10:30:00@Europe/Paris")) is True  # a zoned time: standard time
    assert temporal.equal(lit("10:30:00+02:00"), lit("10:30:00@Europe/Paris")) is False


def test_a_date_beside_a_date_and_time_is_its_midnight_utc() -> None:
    assert temporal.equal(lit("2002-04-02"), lit("2002-04-02T00:00:00Z")) is True
    assert temporal.equal(lit("2002-04-02T00:00:00+00:00"), lit("2002-04-02")) is True
    assert temporal.compare(lit("2002-04-02"), lit("2002-04-02T00:00:01Z")) == -1
    assert temporal.equal(lit("2002-04-02"), lit("2002-04-02T00:00:00")) is False  # local beside aware


def test_local_and_aware_values_are_not_comparable() -> None:
    assert temporal.compare(lit("2018-12-10T10:30:00"), lit("2018-12-10T10:30:00Z")) is None
    assert temporal.subtract(lit("2018-12-10T10:30:00"), lit("2018-12-10T10:30:00Z")) is None
    assert temporal.compare(lit("10:30:00"), lit("10:30:00Z")) is None
    assert temporal.equal(lit("10:30:00"), lit("10:30:00Z")) is False


def test_different_kinds_are_not_comparable() -> None:
    assert temporal.compare(lit("P1D"), lit("P1M")) is None
    assert temporal.equal(lit("P1D"), lit("2018-01-01")) is None
    assert temporal.add(lit("10:00:00"), lit("P1M")) is None
    assert temporal.subtract(lit("P1D"), lit("P1M")) is None


def test_dates_move_by_days_and_months() -> None:
    assert temporal.add(lit("2018-12-31"), lit("P1D")) == FeelDate(2019, 1, 1)
    assert temporal.add(lit("2018-01-31"), lit("P1M")) == FeelDate(2018, 2, 28)
    assert temporal.add(lit("2020-01-31"), lit("P1M")) == FeelDate(2020, 2, 29)
    assert temporal.subtract(lit("2018-03-31"), lit("P1M")) == FeelDate(2018, 2, 28)
    assert temporal.add(lit("P1Y"), lit("2018-02-28")) == FeelDate(2019, 2, 28)
    # a date plus hours is the date of midnight plus those hours
    assert temporal.add(lit("2018-12-31"), lit("PT25H")) == FeelDate(2019, 1, 1)
    assert temporal.subtract(lit("2021-01-02"), lit("PT1S")) == FeelDate(2021, 1, 1)
    assert temporal.subtract(lit("2021-01-02"), lit("-PT25H")) == FeelDate(2021, 1, 3)
    assert temporal.subtract(lit("2020-03-01"), lit("PT24H")) == FeelDate(2020, 2, 29)


def test_date_minus_date_and_date_against_date_time() -> None:
    assert temporal.subtract(lit("2018-03-01"), lit("2018-02-01")) == DaysTimeDuration(28 * 86_400 * 10**9)
    # in a subtraction a date is midnight UTC: fine with an aware date-time, null with a local one
    assert temporal.subtract(lit("2018-03-01T12:00:00Z"), lit("2018-03-01")) == DaysTimeDuration(12 * 3600 * 10**9)
    assert temporal.subtract(lit("2018-03-01T12:00:00+02:00"), lit("2018-03-01")) == lit("PT10H")
    assert temporal.subtract(lit("2018-03-02"), lit("2018-03-01T10:00:00@Europe/Paris")) == lit("PT15H")
    assert temporal.subtract(lit("2018-03-01T12:00:00"), lit("2018-03-01")) is None
    assert temporal.subtract(lit("2018-03-01"), lit("2018-03-01T12:00:00")) is None


def test_zoned_date_time_plus_hours_crosses_summer_time() -> None:
    start = lit("2018-03-25T01:30:00@Europe/Paris")
    assert temporal.to_iso(temporal.add(start, lit("PT1H"))) == "2018-03-25T03:30:00@Europe/Paris"


def test_times_wrap_around_midnight() -> None:
    assert temporal.to_iso(temporal.add(lit("23:00:00Z"), lit("PT2H"))) == "01:00:00Z"
    assert temporal.subtract(lit("10:00:00+01:00"), lit("08:00:00Z")) == DaysTimeDuration(3600 * 10**9)
    assert temporal.equal(lit("10:00:00+01:00"), lit("09:00:00Z")) is True


def test_duration_scaling_and_ratio() -> None:
    assert temporal.multiply(lit("P1D"), Decimal("1.5")) == lit("P1DT12H")
    assert temporal.multiply(Decimal(2), lit("P1Y1M")) == YearsMonthsDuration(26)
    assert temporal.divide(lit("P1D"), lit("PT1H")) == Decimal(24)
    assert temporal.divide(lit("P1Y"), Decimal(4)) == YearsMonthsDuration(3)
    assert temporal.divide(lit("P1D"), Decimal(0)) is None
    assert temporal.divide(lit("P1D"), lit("PT0S")) is None
    assert temporal.multiply(lit("P1D"), lit("P1D")) is None


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("2018-12-10", "year", Decimal(2018)),
        ("2018-12-10", "weekday", Decimal(1)),
        ("2018-12-10T10:30:45@Europe/Paris", "hour", Decimal(10)),
        ("2018-12-10T10:30:45@Europe/Paris", "second", Decimal(45)),
        ("2018-12-10T10:30:45@Europe/Paris", "timezone", "Europe/Paris"),
        ("2018-12-10T10:30:45@Europe/Paris", "time offset", DaysTimeDuration(3600 * 10**9)),
        ("10:30:45-05:00", "time offset", DaysTimeDuration(-5 * 3600 * 10**9)),
        ("10:30:45", "time offset", None),
        ("10:30:45", "timezone", None),
        ("P2DT3H4M5S", "days", Decimal(2)),
        ("P2DT3H4M5S", "hours", Decimal(3)),
        ("-P2DT3H4M5S", "minutes", Decimal(-4)),
        ("P2DT3H4M5S", "seconds", Decimal(5)),
        ("P1Y2M", "years", Decimal(1)),
        ("-P1Y2M", "months", Decimal(-2)),
        ("P1Y2M", "days", None),
        ("2018-12-10", "hour", None),
    ],
)
def test_members(text: str, name: str, expected: object) -> None:
    assert temporal.member(lit(text), name) == expected


def test_python_values_in_and_out() -> None:
    aware = dt.datetime(2018, 12, 10, 10, 30, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    value = temporal.from_python(aware)
    assert value == FeelDateTime(FeelDate(2018, 12, 10), FeelTime(10, 30, 0, 5000, 7200))
    assert temporal.to_python(value) == aware
    assert temporal.from_python(dt.timedelta(days=1, seconds=1)) == lit("P1DT1S")
    assert temporal.to_python(lit("P1DT1S")) == dt.timedelta(days=1, seconds=1)
    assert temporal.from_python(dt.date(2018, 1, 1)) == FeelDate(2018, 1, 1)
    assert temporal.to_python(FeelDate(2018, 1, 1)) == dt.date(2018, 1, 1)
    assert temporal.to_python(lit("-2017-12-31")) == "-2017-12-31"
    assert temporal.to_python(lit("10:00:00")) == dt.time(10)


def test_now_and_today_read_the_clock_given() -> None:
    fixed = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
    with temporal.using_clock(lambda: fixed):
        assert temporal.to_iso(temporal.now()) == "2026-12-06T08:00:00Z"
        assert temporal.today() == FeelDate(2026, 12, 6)


def test_durations_stay_within_twice_feels_calendar() -> None:
    assert temporal.multiply(lit("P1D"), Decimal("1E+6000")) is None
    assert temporal.divide(lit("P1Y"), Decimal("1E-6000")) is None
    assert temporal.parse_duration("P999999999999999999999D") is None
    assert temporal.parse_duration("P999999999999Y") is None
    assert temporal.to_iso(temporal.divide(lit("PT1H"), Decimal(3))) == "PT20M"
