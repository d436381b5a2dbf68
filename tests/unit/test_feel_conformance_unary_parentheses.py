"""A comparison in parentheses (DMN 1.5 §10.3.2.7 ranges written as unary comparisons, and the unary tests
grammar, rule 14: a positive unary test may stand in parentheses).

As an expression ``(<10)`` is the range with no start up to 10 excluded, ``(=10)`` the range [10..10], and
``(!=10)`` has the same endpoints, both excluded; their properties read as the spec's range properties do. As
unary tests, one test in parentheses — ``(10)``, ``(<10)``, ``(=10)`` — is that test."""

from __future__ import annotations

from decimal import Decimal

import pytest

import feel


@pytest.mark.parametrize(("text", "expected"), [
    ("(=10).start", Decimal(10)), ("(=10).end", Decimal(10)),
    ("(=10).start included", True), ("(=10).end included", True),
    ("(!=10).start", Decimal(10)), ("(!=10).end", Decimal(10)),
    ("(!=10).start included", False), ("(!=10).end included", False),
    ("(<10).start", None), ("(<10).end included", False), ("(>=10).start included", True),
    ("(=10) = [10..10]", True),
    ("10 in (=10)", True),
    ("(10)", Decimal(10)),  # a parenthesized number stays a number
    ("(1 + 2) * 3", Decimal(9)),
])
def test_a_comparison_in_parentheses_is_a_range(text: str, expected: object) -> None:
    assert feel.evaluate(text, {}) == expected


@pytest.mark.parametrize(("tests", "ten", "three"), [
    ("(10)", True, False),
    ("(<10)", False, True),
    ("(=10)", True, False),
    ("(!=10)", False, True),
    ("(1 + 9)", True, False),
    ("(1 + 2) * 1", False, True),
    ("(1..10)", False, True),
    ('("a", 10)', True, False),
    ("not(10)", False, True),
])
def test_one_unary_test_in_parentheses_is_that_test(tests: str, ten: bool, three: bool) -> None:
    compiled = feel.compile_unary_tests(tests)
    assert compiled.matches(Decimal(10), {}) is ten
    assert compiled.matches(Decimal(3), {}) is three
