"""FEEL conversion built-ins (DMN 1.5 §10.3.4.1): date, time, date and time, duration, number, string, and
years and months duration — the spec's examples, named parameters, and null for every misuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from feel_builtin_calls import call, call_named, t, text

from feel.temporal import FeelDate


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("2017-01-01",), "2017-01-01"),
        (("-2017-12-31",), "-2017-12-31"),
        (("99999-12-31",), "99999-12-31"),
        ((2017, 1, 1), "2017-01-01"),
        ((t("2017-08-10T10:20:00@Europe/Paris"),), "2017-08-10"),
        (("2017-13-01",), None),
        (("2017-02-29",), None),
        (("01211-12-31",), None),
        (("2017-1-1",), None),
        ((2017, 2, 30), None),
        ((2017.5, 1, 1), None),
        ((None,), None),
        ((2017,), None),
        ((), None),
    ],
)
def test_date(args: tuple[object, ...], expected: str | None) -> None:
    assert text(call("date", *args)) == expected


def test_date_by_name() -> None:
    assert call_named("date", year=2017, month=1, day=1) == FeelDate(2017, 1, 1)
    assert call_named("date", **{"from": "2017-01-01"}) == FeelDate(2017, 1, 1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("13:10:20.123456789@Europe/Paris",), "13:10:20.123456789@Europe/Paris"),
        (("10:20:00+02:00",), "10:20:00+02:00"),
        (("11:22:33-00:00",), "11:22:33Z"),
        ((11, 59, 45, t("PT2H45M55S")), "11:59:45+02:45:55"),
        ((11, 59, 45, t("-PT2H")), "11:59:45-02:00"),
        ((12, 0, 0, None), "12:00:00"),
        ((12, 0, Decimal("1.5")), "12:00:01.5"),
        ((t("2017-08-10T10:20:00+01:00"),), "10:20:00+01:00"),
        ((t("2017-08-10"),), None),  # a date has no time of day
        (("23:59:60",), None),
        (("24:00:01",), None),
        (("7:00:00",), None),
        (("13:20:00@xyz/abc",), None),
        (("13:20:00+19:00",), None),
        ((24, 0, 0), None),
        ((12, 0, 0, t("P1Y")), None),
        ((None, 11, 45, t("P0D")), None),
        ((2017,), None),
    ],
)
def test_time(args: tuple[object, ...], expected: str | None) -> None:
    assert text(call("time", *args)) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("2018-12-10T10:30:00Z",), "2018-12-10T10:30:00Z"),
        (("-2017-12-31T11:22:33.456+01:35",), "-2017-12-31T11:22:33.456+01:35"),
        (("999999999-12-31T23:59:59.999999999@Europe/Paris",), "999999999-12-31T23:59:59.999999999@Europe/Paris"),
        ((t("2017-01-01"), t("23:59:01@Europe/Paris")), "2017-01-01T23:59:01@Europe/Paris"),
        ((t("2017-08-10T10:20:00+02:00"), t("23:59:01")), "2017-08-10T23:59:01"),
        ((t("2017-08-10"),), "2017-08-10T00:00:00"),
        (("2012-12-24",), "2012-12-24T00:00:00"),  # a date string is that day at midnight, as a date is
        (("2012-12-24Z",), None),
        (("2011-12-03T10:15:30+01:00@Europe/Paris",), None),
        (("9999999999-12-27T11:22:33",), None),
        (("+99999-12-01T11:22:33",), None),
        ((t("2017-01-01"), None), None),
        ((None, t("23:59:01")), None),
        ((2017,), None),
    ],
)
def test_date_and_time(args: tuple[object, ...], expected: str | None) -> None:
    assert text(call("date and time", *args)) == expected


def test_date_and_time_by_name() -> None:
    assert text(call_named("date and time", date=t("2017-01-01"), time=t("10:00:00"))) == "2017-01-01T10:00:00"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("P1DT2H", "P1DT2H"),
        ("PT1000M0.999999999S", "PT16H40M0.999999999S"),
        ("PT0.S", "PT0S"),
        ("P0D", "PT0S"),
        ("-PT1H2M", "-PT1H2M"),
        ("P1Y27M", "P3Y3M"),
        ("-P999999999M", "-P83333333Y3M"),
        ("P0Y", "P0M"),
        ("P", None),
        ("P0", None),
        ("1Y", None),
        ("P1H", None),
        ("P1S", None),
        ("P1Y2DT3H", None),  # the two kinds do not mix
        ("", None),
        (2017, None),
    ],
)
def test_duration(source: object, expected: str | None) -> None:
    assert text(call("duration", source)) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2011-12-22", "2013-08-24", "P1Y8M"),
        ("2013-08-24", "2011-12-22", "-P1Y8M"),
        ("2015-01-21", "2016-01-21", "P1Y"),
        ("2017-12-31T13:00:00", "2017-12-31T12:00:00", "P0M"),
        ("2016-09-30T23:25:00", "2017-12-28T12:12:12", "P1Y2M"),
        ("2010-05-30T03:55:58", "2017-12-15T00:59:59", "P7Y6M"),
    ],
)
def test_years_and_months_duration(start: str, end: str, expected: str) -> None:
    assert text(call("years and months duration", t(start), t(end))) == expected


def test_years_and_months_duration_needs_two_dates() -> None:
    assert call("years and months duration", t("2017-08-11"), None) is None
    assert call("years and months duration", None) is None
    assert call("years and months duration", t("10:00:00"), t("11:00:00")) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("1 000,0", " ", ","), Decimal("1000.0")),
        (("1,000.01", ",", "."), Decimal("1000.01")),
        (("1.000.000,01", ".", ","), Decimal("1000000.01")),
        (("12345",), Decimal(12345)),
        (("-1.5e3",), Decimal("-1.5e3")),
        (("1,000", ",", ","), None),  # the same separator twice
        (("1 000", "x", "."), None),
        (("1,000,000.01", " ", "."), None),  # not the grouping separator said
        (("1000000.01", None, "."), Decimal("1000000.01")),
        (("1,000,000", ",", None), Decimal(1000000)),
        (("1.000.000,01", "."), None),  # both separators or neither
        (("1.000.000,01", ".", ",", ","), None),
        (("00123",), Decimal(123)),
        (("1 2 3",), None),
        ((Decimal("11.11"),), Decimal("11.11")),
        ((123, ".", ","), None),
        (("abc",), None),
        ((None,), None),
    ],
)
def test_number(args: tuple[object, ...], expected: Decimal | None) -> None:
    assert call("number", *args) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.10"), "1.1"),
        (Decimal("1E+2"), "100"),
        (True, "true"),
        ("abc", "abc"),
        (t("P1DT2H"), "P1DT2H"),
        (t("2018-12-10T10:30:00.5@Asia/Shanghai"), "2018-12-10T10:30:00.5@Asia/Shanghai"),
        ([1, "a"], '[1, "a"]'),
        (None, None),
    ],
)
def test_string(value: object, expected: str | None) -> None:
    assert call("string", value) == expected
