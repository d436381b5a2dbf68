"""Unary tests, the input entries of decision tables (DMN 1.5 §10.3.1.2 grammar rules 14–17, §10.3.2.15).

``-`` matches anything. A positive test is ``< e``, ``<= e``, ``> e``, ``>= e``, an interval ``[a..b)`` or any
expression: an expression that uses ``?`` (the input value) matches when it is true; otherwise, and for every
expression without ``?``, its value is compared with the input (equal, a member of a list, inside a range).
``a, b, c`` matches when one test does; ``not(a, b)`` when none does; ``(a, b)`` is ``a, b``. A test whose
outcome is null (an input that cannot be compared) does not match.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from feel import nodes as n
from feel import operators as ops
from feel.evaluator import compile_node
from feel.scope import Scope

Test = Callable[[Any, Scope], bool | None]


def mentions(node: Any, name: str) -> bool:
    """True when the AST under ``node`` refers to ``name`` (``?`` in a unary test)."""
    if isinstance(node, n.Name):
        return node.name == name
    if isinstance(node, tuple | list):
        return any(mentions(item, name) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return any(mentions(getattr(node, field.name), name) for field in dataclasses.fields(node))
    return False


def _compile_test(node: n.Node) -> Test:
    run = compile_node(node)
    if isinstance(node, n.RangeNode):
        return lambda value, scope: ops.matches(value, run(scope))
    uses_input = mentions(node, "?")

    def test(value: Any, scope: Scope) -> bool | None:
        result = run(scope)
        if uses_input and (result is True or result is None):
            return result  # "? > 5": a condition on the input that holds, or could not be decided (null input)
        # otherwise the expression's value is what the input must be: equal, a member of a list, in a range; a
        # true without "?" is no test of the input (string length("?") = 1 does not match "foo")
        return ops.matches(value, result)

    return test


def compile_tests(tests: n.UnaryTests) -> Callable[[Any, Scope], bool]:
    """A function (input value, scope) → whether the input satisfies the tests."""
    if tests.any:
        return lambda value, scope: True
    compiled = [_compile_test(test) for test in tests.tests]
    negated = tests.negated

    def matches(value: Any, scope: Scope) -> bool:
        inner = Scope({"?": value}, scope)
        outcome = ops.any_true(test(value, inner) for test in compiled)
        if negated:
            return outcome is False
        return outcome is True

    return matches
