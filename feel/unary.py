"""Unary tests, the input entries of decision tables (DMN 1.5 §10.3.1.2 grammar rules 14–17, §10.3.2.15).

``-`` matches anything. A positive test is ``< e``, ``<= e``, ``> e``, ``>= e``, an interval ``[a..b)`` or any
expression: an expression that uses ``?`` (the input value) matches when it is true; otherwise, and for every
expression without ``?``, its value is compared with the input (equal, a member of a list, inside a range).
``a, b, c`` matches when one test does; ``not(a, b)`` when none does; ``(a, b)`` is ``a, b``. A test whose
outcome is null (an input that cannot be compared) does not match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feel import nodes as n
from feel import operators as ops
from feel.evaluator import compile_positive_test
from feel.scope import Scope

Test = Callable[[Any, Scope], bool | None]


def compile_tests(tests: n.UnaryTests) -> Callable[[Any, Scope], bool]:
    """A function (input value, scope) → whether the input satisfies the tests."""
    if tests.any:
        return lambda value, scope: True
    compiled = [compile_positive_test(test) for test in tests.tests]
    negated = tests.negated

    def matches(value: Any, scope: Scope) -> bool:
        inner = Scope({"?": value}, scope)
        outcome = ops.some_true(test(value, inner) for test in compiled)
        if negated:
            return outcome is False
        return outcome is True

    return matches
