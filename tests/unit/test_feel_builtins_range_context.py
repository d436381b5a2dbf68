"""FEEL range relations (DMN 1.5 §10.3.4.9), context functions, the date and time functions, is(), get or
else() and range(from): the spec's examples, open ranges, named parameters, null for every misuse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from feel_builtin_calls import call, call_named, t, text

from feel import temporal
from feel.values import Range


def r(spec: str) -> Range:
    """A numeric range from its literal (``[1..5)``, ``(..5]``…) without the FEEL parser."""
    opening, body, closing = spec[0], spec[1:-1], spec[-1]
    low, high = body.split("..")
    start = Decimal(low) if low else None
    end = Decimal(high) if high else None
    return Range(start, end, opening == "[", closing == "]")


@pytest.mark.parametrize(
    ("name", "a", "b", "expected"),
    [
        ("before", 1, 10, True),
        ("before", 10, 1, False),
        ("before", 1, "[2..5]", True),
        ("before", 2, "(2..5]", True),
        ("before", 2, "[2..5]", False),
        ("before", "[1..5]", 10, True),
        ("before", "[1..5)", 5, True),
        ("before", "[1..5]", "[6..8]", True),
        ("before", "[1..5]", "(5..8]", True),
        ("before", "[1..5]", "[5..8]", False),
        ("after", 10, 5, True),
        ("after", 12, "[2..5]", True),
        ("after", "[6..8]", "[1..5]", True),
        ("after", "(5..8]", "[1..5]", True),
        ("meets", "[1..5]", "[5..8]", True),
        ("meets", "[1..5)", "[5..8]", False),
        ("met by", "[5..8]", "[1..5]", True),
        ("overlaps", "[5..10]", "[1..6]", True),
        ("overlaps", "(5..8]", "[1..5]", False),
        ("overlaps", "[1..5]", "[5..8]", True),
        ("overlaps before", "[1..5]", "[3..8]", True),
        ("overlaps before", "[1..5]", "[6..8]", False),
        ("overlaps after", "[3..8]", "[1..5]", True),
        ("finishes", 10, "[1..10]", True),
        ("finishes", 10, "[1..10)", False),
        ("finishes", "[5..10]", "[1..10]", True),
        ("finished by", "[1..10]", 10, True),
        ("includes", "[1..10]", 5, True),
        ("includes", "(1..10]", 1, False),
        ("includes", "[1..10]", "[4..6]", True),
        ("includes", "(1..10]", "[1..6]", False),
        ("during", 5, "[1..10]", True),
        ("during", "[4..6]", "[1..10]", True),
        ("starts", 1, "[1..10]", True),
        ("starts", "[1..5]", "[1..10]", True),
        ("starts", "(1..5]", "[1..10]", False),
        ("started by", "[1..10]", 1, True),
        ("coincides", 5, 5, True),
        ("coincides", "[1..5]", "[1..5]", True),
        ("coincides", "[1..5]", "(1..5]", False),
        ("includes", "(..10]", 5, True),  # open start: everything below
        ("before", "(..5]", 6, True),
        ("after", "[5..)", 4, True),
        ("overlaps", "[5..)", "(..6]", True),
        ("before", 1, "a", None),
        ("before", None, 1, None),
        ("meets", 1, 2, None),
    ],
)
def test_range_relations(name: str, a: object, b: object, expected: bool | None) -> None:
    def arg(value: object) -> object:
        return r(value) if isinstance(value, str) and ".." in value else value

    assert call(name, arg(a), arg(b)) is expected


def test_range_relations_by_name() -> None:
    assert call_named("before", point1=1, point2=10) is True
    assert call_named("includes", range=r("[1..10]"), point=5) is True
    assert call_named("before", range1=r("[1..5]"), range2=r("[6..8]")) is True


def test_temporal_ranges() -> None:
    january = Range(t("2021-01-01"), t("2021-01-31"), True, True)
    assert call("includes", january, t("2021-01-15")) is True
    assert call("before", t("2020-12-31"), january) is True


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[1..10)", "[1..10)"),
        (" [ 1 .. 3 ] ", "[1..3]"),
        ("]18..21[", "(18..21)"),
        ("[2..)", ">= 2"),
        ("(..2]", "<= 2"),
        ('["a".."c"]', '["a".."c"]'),
        ('[@"2019-01-01"..@"2019-12-31"]', "[2019-01-01..2019-12-31]"),
        ('[date("2019-01-01")..date("2019-12-31")]', "[2019-01-01..2019-12-31]"),
        ('[duration("P1D")..@"P2D"]', "[P1D..P2D]"),
        ("[..2]", None),
        ("[1..]", None),
        (">=10", None),
        ("[3..1]", None),
        ('[1.."b"]', None),
        ('[@"1970-01-01"..@"1970-01-02T00:00:00"]', None),
        ('[date(string("1970-01-01"))..date("1970-01-02")]', None),
        ("[null..null]", None),
        ("", None),
        (" ", None),
    ],
)
def test_range_from_a_string(source: str, expected: str | None) -> None:
    assert text(call("range", source)) == expected


def test_context_functions() -> None:
    assert call("get value", {"a": 1}, "a") == 1
    assert call("get value", {"a": 1}, "b") is None
    assert call("get value", {"a": {"b": 2}}, ["a", "b"]) == 2
    assert call("get value", "not a context", "a") is None
    assert call("get entries", {"a": 1, "b": 2}) == [{"key": "a", "value": 1}, {"key": "b", "value": 2}]
    assert call("get entries", {}) == []
    assert call("context", [{"key": "a", "value": 1}, {"key": "b", "value": 2}]) == {"a": 1, "b": 2}
    assert call("context", {"key": "a", "value": 1}) == {"a": 1}
    assert call("context", [{"key": "a", "value": 1}, {"key": "a", "value": 2}]) is None  # a key twice
    assert call("context", [{"key": 1, "value": 1}]) is None
    assert call("context", [{"value": 1}]) is None


def test_context_put_and_merge() -> None:
    original = {"x": 1}
    assert call("context put", original, "y", 2) == {"x": 1, "y": 2}
    assert original == {"x": 1}  # a copy, never the caller's context
    assert call("context put", {"x": 1}, "x", 3) == {"x": 3}
    assert call("context put", {"a": {"b": 1}}, ["a", "c"], 2) == {"a": {"b": 1, "c": 2}}
    assert call("context put", {"a": 1}, [], 2) is None
    assert call("context merge", [{"a": 1}, {"b": 2}, {"a": 3}]) == {"a": 3, "b": 2}
    assert call("context merge", [{"a": 1}, 2]) is None
    assert call_named("context put", context={}, key="k", value=1) == {"k": 1}
    assert call_named("context put", context={"y": {"a": 0}}, keys=["y", "a"], value=2) == {"y": {"a": 2}}
    assert call("context put", {"y": {"a": 0}}, ["y", "a", "b"], 2) is None  # y.a is no context
    assert call("context put", {}, None, 1) is None


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("day of year", "2019-09-17", 260),
        ("day of year", "2020-12-31", 366),
        ("day of week", "2019-09-17", "Tuesday"),
        ("day of week", "2019-09-15T10:00:00", "Sunday"),
        ("month of year", "2017-02-01", "February"),
        ("week of year", "2019-09-17", 38),
        ("week of year", "2003-12-29", 1),
        ("week of year", "2004-01-04", 1),
        ("week of year", "2005-01-01", 53),
        ("week of year", "2005-01-03", 1),
        ("week of year", "2005-01-09", 1),
        ("last day of month", "2024-02-10", "2024-02-29"),
        ("last day of month", "2023-02-10", "2023-02-28"),
    ],
)
def test_date_functions(name: str, value: str, expected: object) -> None:
    found = call(name, t(value))
    assert (text(found) if temporal.is_temporal(found) else found) == expected


def test_date_functions_refuse_other_values() -> None:
    assert call("day of week", "2019-09-17") is None
    assert call("week of year", t("10:00:00")) is None


def test_now_and_today_read_the_clock_given() -> None:
    fixed = dt.datetime(2026, 12, 6, 8, 30, tzinfo=dt.UTC)
    with temporal.using_clock(lambda: fixed):
        assert text(call("now")) == "2026-12-06T08:30:00Z"
        assert text(call("today")) == "2026-12-06"
    assert call("today", 1) is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 1, True),
        (1, 2, False),
        ("foo", "foo", True),
        (1, "1", False),
        (None, None, True),
        (t("2012-12-25"), t("2012-12-25"), True),
        (t("2012-12-25"), t("2012-12-25T00:00:00Z"), False),
        (t("23:00:50Z"), t("23:00:50+00:00"), True),
        (t("23:00:50"), t("23:00:50Z"), False),
        (t("23:00:50@Australia/Melbourne"), t("23:00:50+10:00"), True),
        (t("20:00:50+00:00"), t("21:00:50+01:00"), False),  # the same instant, not the same time
        (t("2002-04-02T12:00:00-01:00"), t("2002-04-02T17:00:00+04:00"), False),
        (t("2021-04-02T23:00:00@Australia/Melbourne"), t("2021-04-02T23:00:00+11:00"), True),
        (t("2021-10-02T23:00:00@Australia/Melbourne"), t("2021-10-02T23:00:00+10:00"), True),
        (t("P1D"), t("PT24H"), True),
        (t("P0Y"), t("P0D"), False),
    ],
)
def test_is(a: object, b: object, expected: bool) -> None:
    assert call("is", a, b) is expected


def test_not_and_get_or_else() -> None:
    assert call("not", True) is False
    assert call("not", None) is None
    assert call("not", 1) is None
    assert call("get or else", None, "x") == "x"
    assert call("get or else", "y", "x") == "y"
    assert call_named("get or else", value=None, default=1) == 1
