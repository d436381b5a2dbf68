"""Unary tests, the input entries of decision tables (DMN 1.5 §10.3.2.? unary tests, grammar rules 14–17)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import feel
from feel.values import from_python


def matches(tests: str, value: Any, **context: Any) -> bool:
    return feel.compile_unary_tests(tests).matches(from_python(value), from_python(context))


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("-", 5, True),
        ("-", None, True),
        ("5", 5, True),
        ("5", 6, False),
        ('"a", "b"', "b", True),
        ('"a", "b"', "c", False),
        ("< 10", 9, True),
        ("< 10", 10, False),
        ("<= 10", 10, True),
        ("> 10", 10, False),
        (">= 10", 10, True),
        ("[1..10]", 10, True),
        ("[1..10)", 10, False),
        ("]1..10]", 1, False),
        ("(1..10]", 10, True),
        ("< 3, > 7", 8, True),
        ("< 3, > 7", 5, False),
        ("not(5)", 5, False),
        ("not(5)", 6, True),
        ("not(< 3, > 7)", 5, True),
        ('not("a", 1)', "b", True),  # one test of another kind does not make the negation unknown
        ("not([1..3])", 2, False),
        ("null", None, True),
        ("null", 1, False),
        ("< 10", None, False),  # null cannot be compared: no match
        ("not(< 10)", None, False),  # and its negation is null too
        ("< 10", "a", False),
        ("true", True, True),
        ("false", False, True),
        ("true", False, False),
        ("? > 5", 6, True),
        ("? > 5", 4, False),
        ("? > 5", None, False),
        ("odd(?)", 3, True),
        ("[1, 2, 3]", 2, True),  # an expression that is a list: membership
        ("= 5", 5, True),
        ("!= 5", 5, False),
        ("!= 5", 4, True),
        ("limit", 7, True),
        ("< limit", 7, False),
        ("string length(?) = 3", "abc", True),
    ],
)
def test_unary_tests(tests: str, value: Any, expected: bool) -> None:
    assert matches(tests, value, limit=7) is expected


def test_an_expression_without_question_mark_is_compared_with_the_input() -> None:
    # true is what the input must equal: a condition that does not look at the input is no test of it
    assert matches('string length("?") = 1', "foo") is False
    assert matches('string length("?") = 1', True) is True
    assert matches("upper case(name)", "BOX", name="box") is True


def test_an_expression_with_question_mark_matches_when_true_or_equal_to_the_input() -> None:
    assert matches("?", "foo") is True
    assert matches("?", False) is True  # the value false equals the input false
    assert matches("? + 1", 4) is False


def test_a_list_of_tests_in_parentheses() -> None:
    assert matches('("123", true)', False) is False
    assert matches('("a", "b")', "b") is True
    assert matches("(1 + 2) * 3", 9) is True  # parentheses of an expression stay an expression


def test_ranges_of_dates() -> None:
    tests = '[date("2024-01-01")..date("2024-12-31")]'
    assert matches(tests, feel.evaluate('date("2024-06-01")', {})) is True
    assert matches(tests, feel.evaluate('date("2025-01-01")', {})) is False


def test_a_not_function_call_followed_by_more_is_an_expression() -> None:
    # not(a) = b is no negated list of tests: it compares the not() of a with b
    assert matches("not(?) = true", False) is True


def test_names_with_spaces_in_unary_tests() -> None:
    compiled = feel.compile_unary_tests("< Credit Limit", names=frozenset({"Credit Limit"}))
    assert compiled.matches(Decimal(5), {"Credit Limit": Decimal(10)}) is True


def test_unary_test_syntax_errors() -> None:
    with pytest.raises(feel.FeelError):
        feel.compile_unary_tests("< ")
    with pytest.raises(feel.FeelError):
        feel.compile_unary_tests("[1..")
