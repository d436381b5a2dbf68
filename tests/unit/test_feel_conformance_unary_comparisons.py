"""Unary comparisons with ``=`` and ``!=`` (DMN 1.5 §10.3.1.2: ``= e`` and ``!= e`` are positive unary tests,
the input compared with e). Their answer is the test's, false included: ``10 in != 10`` is false — not the
equality of the input with that false."""

from __future__ import annotations

from decimal import Decimal

import feel


def test_not_equal_is_false_for_the_same_value() -> None:
    assert feel.evaluate("10 in != 10", {}) is False
    assert feel.evaluate("10 in != 9", {}) is True


def test_equal_is_false_for_another_value() -> None:
    assert feel.evaluate("10 in = 10", {}) is True
    assert feel.evaluate("10 in = 9", {}) is False


def test_a_list_of_tests_goes_on_after_a_false_comparison() -> None:
    assert feel.evaluate("10 in (!= 10, > 5)", {}) is True
    assert feel.evaluate("10 in (< 5, != 10)", {}) is False


def test_a_value_of_another_kind_is_null() -> None:
    assert feel.evaluate('"十" in != 10', {}) is None


def test_decision_table_cells_read_the_same() -> None:
    assert feel.compile_unary_tests("!= 10").matches(Decimal(10), {}) is False
    assert feel.compile_unary_tests("!= 10").matches(Decimal(9), {}) is True
