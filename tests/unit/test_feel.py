"""FEEL literals, input expressions and DMN 1.3 simple unary tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.domain.feel import FeelError, feel_compare, kind, parse_literal, parse_unary_tests, resolve

UTC8 = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(("text", "expected"), [
    ('"a"', "a"),
    ('"say \\"hi\\"\\n\\u0041\\\\"', 'say "hi"\nA\\'),
    ('""', ""),
    ("42", 42),
    ("-7", -7),
    ("1.5", 1.5),
    ("-0.25", -0.25),
    (".5", 0.5),
    ("true", True),
    ("false", False),
    ("null", None),
    ('date("2026-01-01")', dt.date(2026, 1, 1)),
    ('date and time("2026-01-01T08:00:00+08:00")', dt.datetime(2026, 1, 1, 8, tzinfo=UTC8)),
    ('date and time("2026-01-01T08:00:00")', dt.datetime(2026, 1, 1, 8)),
    ('time("08:30:00")', dt.time(8, 30)),
    ('duration("PT4H")', dt.timedelta(hours=4)),
    ('duration("P2D")', dt.timedelta(days=2)),
    ('duration("P1DT2H30M15.5S")', dt.timedelta(days=1, hours=2, minutes=30, seconds=15.5)),
    ('duration("-PT15M")', dt.timedelta(minutes=-15)),
    ("[1, 2]", [1, 2]),
    ('[ "a", [true, null], date("2026-02-03") ]', ["a", [True, None], dt.date(2026, 2, 3)]),
    ("[]", []),
    ("  17  ", 17),
])
def test_parse_literal(text: str, expected: object) -> None:
    value = parse_literal(text)
    assert value == expected
    assert type(value) is type(expected)


def test_literal_lists_are_fresh_objects() -> None:
    first = parse_literal("[1, 2]")
    first.append(3)
    assert parse_literal("[1, 2]") == [1, 2]


@pytest.mark.parametrize("text", [
    "", "foo", "report.subtype", "'a'", '"unterminated', "1 + 2", "[1, 2", "[1 2]", '"a" "b"', "date(1)",
    'date("2026-13-01")', 'duration("P1Y")', 'duration("P")', 'duration("PT")', 'date and time("noon")',
    '"bad \\q escape"', "<3", "TRUE",
])
def test_parse_literal_rejects_everything_else(text: str) -> None:
    with pytest.raises(FeelError) as info:
        parse_literal(text)
    assert isinstance(info.value, ValueError)
    assert info.value.text == text
    assert repr(info.value.text) in str(info.value)


def test_resolve_names_paths_and_literals() -> None:
    context = {"report": {"subtype": "pothole", "meta": {"lanes": 2}}, "Applicant Age": 63, "count": 0}
    assert resolve("report.subtype", context) == "pothole"
    assert resolve(" report . meta . lanes ", context) == 2
    assert resolve("Applicant Age", context) == 63
    assert resolve("count", context) == 0
    assert resolve("missing", context) is None
    assert resolve("report.missing.deeper", context) is None
    assert resolve("count.deeper", context) is None
    assert resolve('"fixed"', context) == "fixed"
    assert resolve("3", context) == 3
    assert resolve("true", context) is True


@pytest.mark.parametrize("expression", ["a + b", "f(x)", "report[1]", "if a then b else c", "x in y", "a.", ""])
def test_resolve_rejects_full_expressions(expression: str) -> None:
    with pytest.raises(FeelError, match=r"FEEL|expected|unexpected"):
        resolve(expression, {"a": 1, "b": 2})


D = dt.date
UNARY_CASES: list[tuple[str, list[object], list[object]]] = [
    ("-", [1, "x", None, True, [1]], []),
    ("", [1, None], []),
    ('"a"', ["a"], ["A", "a ", 1, None]),
    ('"a","b"', ["a", "b"], ["c", None]),
    ('"a", "b", "c"', ["c"], ["d"]),
    ("< 3", [2, 2.999, -10, Decimal("2.5")], [3, 4, "2", None, True]),
    ("<= 3", [3, 3.0, Decimal(3)], [3.01]),
    ("> 3", [4, 3.5], [3, 2, "4"]),
    (">= 3", [3, 100], [2.99]),
    ("= 3", [3, 3.0], [4, "3"]),
    ("!= 3", [4], [3, "4", None]),
    ("3", [3], [4, True]),
    ("1", [1], [True]),
    ("-3", [-3], [3]),
    ("< -3", [-4], [-3]),
    ("[1..5]", [1, 3, 5, 4.5], [0, 5.01, 6, "3", None]),
    ("(1..5]", [2, 5], [1]),
    ("]1..5]", [2, 5], [1]),
    ("[1..5)", [1, 4.99], [5]),
    ("[1..5[", [1, 4], [5]),
    ("]1..5[", [2, 4], [1, 5]),
    ("(1..5)", [1.5], [1, 5]),
    ('["a".."c"]', ["b", "c"], ["d"]),
    ("not(1)", [2, "1", None], [1]),
    ('not("a", "b")', ["c"], ["a", "b"]),
    ("not([1..5])", [0, 6], [1, 5]),
    ("not(< 3, > 7)", [3, 7, 5], [2, 8]),
    ("null", [None], [0, "", False]),
    ("not(null)", [0, ""], [None]),
    ("true", [True], [1, False, "true"]),
    ("false", [False], [0, None]),
    ("< 10, null", [None, 5], [10]),
    ("[1, 2]", [1, 2, [1, 2]], [3, [2, 1]]),
    ('date("2026-01-01")', [D(2026, 1, 1)], [dt.datetime(2026, 1, 1), "2026-01-01"]),
    ('< date("2026-01-01")', [D(2025, 12, 31)], [D(2026, 1, 1), dt.datetime(2025, 1, 1)]),
    ('[date("2026-01-01")..date("2026-01-31")]', [D(2026, 1, 15), D(2026, 1, 31)], [D(2026, 2, 1)]),
    ('>= date and time("2026-01-01T08:00:00+08:00")',
     [dt.datetime(2026, 1, 1, 0, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 9, tzinfo=UTC8)],
     [dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC), dt.datetime(2026, 1, 2), D(2026, 1, 2)]),
    ('> duration("PT4H")', [dt.timedelta(hours=5), dt.timedelta(days=1)], [dt.timedelta(hours=4), 5]),
    ('[duration("P1D")..duration("P2D")]', [dt.timedelta(hours=36)], [dt.timedelta(hours=49)]),
    ('>= time("08:00:00")', [dt.time(9)], [dt.time(7, 59)]),
]


@pytest.mark.parametrize(("text", "matching", "not_matching"), UNARY_CASES)
def test_unary_tests(text: str, matching: list[object], not_matching: list[object]) -> None:
    tests = parse_unary_tests(text)
    assert [tests.matches(value) for value in matching] == [True] * len(matching)
    assert [tests.matches(value) for value in not_matching] == [False] * len(not_matching)


def test_unary_test_endpoints_may_name_context_values() -> None:
    tests = parse_unary_tests("<= limits.speed")
    assert tests.matches(50, {"limits": {"speed": 50}})
    assert not tests.matches(51, {"limits": {"speed": 50}})
    assert not tests.matches(51, {})
    assert parse_unary_tests("[low..high]").matches(3, {"low": 1, "high": 3})


def test_parsed_unary_tests_are_cached() -> None:
    assert parse_unary_tests('"cached", "once"') is parse_unary_tests('"cached", "once"')
    assert parse_unary_tests.cache_info().hits >= 1


@pytest.mark.parametrize("text", [
    "< ", "[1..5", "[1..5}", "1..5", "not(1", "not 1", "a + 1", '"a",', ", 1", "< > 3", "[1..]", "{1}", "1 2",
])
def test_invalid_unary_tests_raise(text: str) -> None:
    with pytest.raises(FeelError) as info:
        parse_unary_tests(text)
    assert info.value.text == text


def test_kinds_and_comparisons() -> None:
    assert [kind(v) for v in (None, True, 1, 1.5, Decimal(1), "s", D(2026, 1, 1), dt.datetime(2026, 1, 1),
                              dt.time(1), dt.timedelta(1), [1], {"a": 1})] == [
        "null", "boolean", "number", "number", "number", "string", "date", "date and time", "time", "duration",
        "list", "context"]
    assert feel_compare(1, 2) == -1
    assert feel_compare("b", "a") == 1
    assert feel_compare(2, 2.0) == 0
    assert feel_compare(1, "1") is None
    assert feel_compare(True, False) is None
    assert feel_compare(1, True) is None
    assert feel_compare(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) is None
