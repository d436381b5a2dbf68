"""Compile a FEEL AST to Python closures, once, and run them (DMN 1.5 §10.3.2 semantics).

Each node becomes a function ``Scope → value``; no text is ever handed to ``eval`` or ``exec``. Errors the
spec calls null (a missing name, a wrong kind, a failing built-in) are null here; syntax errors were raised by
the parser; ``feel.budget`` counts the work of loops, filters and calls so hostile expressions end.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel import nodes as n
from feel import operators as ops
from feel.errors import FeelError
from feel.evaluator_calls import builtin, compile_call, compile_function_definition
from feel.evaluator_loops import compile_filter, compile_for, compile_quantified
from feel.scope import MISSING, Scope
from feel.values import Range

Run = Callable[[Scope], Any]


def compile_node(node: n.Node) -> Run:
    """The closure that evaluates ``node`` in a scope."""
    compiler = _COMPILERS.get(type(node))
    if compiler is None:  # pragma: no cover - every node type has a compiler
        raise TypeError(f"no compiler for {type(node).__name__}")
    return compiler(node)


def _literal(node: n.Node) -> Run:
    assert isinstance(node, n.Literal)
    value = node.value
    return lambda scope: value


def _at_literal(node: n.Node) -> Run:
    assert isinstance(node, n.AtLiteral)
    try:
        value = ops.temporal_literal(node.text)
    except (FeelError, ValueError, ArithmeticError):
        value = None  # @"foo" is a valid expression whose value is null, as for date("foo") (TCK 0093)
    return lambda scope: value


def _name(node: n.Node) -> Run:
    assert isinstance(node, n.Name)
    name = node.name
    fallback = builtin(name)

    def run(scope: Scope) -> Any:
        value = scope.lookup(name)
        return fallback if value is MISSING else value

    return run


def _path(node: n.Node) -> Run:
    assert isinstance(node, n.Path)
    base, member = compile_node(node.base), node.member
    return lambda scope: member_of(base(scope), member)


_RANGE_MEMBERS = {"start": 0, "end": 1, "start included": 2, "end included": 3}


def member_of(value: Any, member: str) -> Any:
    """``value.member``: a context's entry, a projection over a list, a temporal or range component."""
    if isinstance(value, dict):
        return value.get(member)
    if isinstance(value, list):
        return [member_of(item, member) for item in value]
    if isinstance(value, Range):
        index = _RANGE_MEMBERS.get(member)
        if index is None:
            return None
        return (value.start, value.end, value.start_included, value.end_included)[index]
    if value is None or isinstance(value, bool | str | Decimal):
        return None
    if ops.temporal.is_temporal(value):
        return ops.temporal.member(value, member)
    return None


def _descendants(node: n.Node) -> Run:
    assert isinstance(node, n.Descendants)
    base, member = compile_node(node.base), node.member

    def run(scope: Scope) -> Any:
        found: list[Any] = []
        _collect(base(scope), member, found)
        return found

    return run


def _collect(value: Any, member: str, found: list[Any]) -> None:
    # depth first, entries in order: a nested entry's matches come before a later sibling's
    if isinstance(value, dict):
        for key, item in value.items():
            if key == member and item is not None:
                found.append(item)
            _collect(item, member, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, member, found)


def _negation(node: n.Node) -> Run:
    assert isinstance(node, n.Negation)
    operand = compile_node(node.operand)
    return lambda scope: ops.negate(operand(scope))


def _arithmetic(node: n.Node) -> Run:
    assert isinstance(node, n.Arithmetic)
    # a + b + c … is a left-deep tree: walk its spine in a loop, so a generated sum of a thousand terms
    # compiles and runs without a Python frame per term
    steps: list[tuple[str, Run]] = []
    spine: n.Node = node
    while isinstance(spine, n.Arithmetic):
        steps.append((spine.op, compile_node(spine.right)))
        spine = spine.left
    first = compile_node(spine)
    steps.reverse()
    if len(steps) == 1:
        op, right = steps[0]
        return lambda scope: ops.arithmetic(op, first(scope), right(scope))

    def run(scope: Scope) -> Any:
        value = first(scope)
        for op, right in steps:
            value = ops.arithmetic(op, value, right(scope))
        return value

    return run


def _comparison(node: n.Node) -> Run:
    assert isinstance(node, n.Comparison)
    op, left, right = node.op, compile_node(node.left), compile_node(node.right)
    return lambda scope: ops.comparison(op, left(scope), right(scope))


def _logical(node: n.Node) -> Run:
    assert isinstance(node, n.Logical)
    # a and b and c …: the operands of one operator along the left spine, combined in a loop
    operands: list[Run] = []
    spine: n.Node = node
    while isinstance(spine, n.Logical) and spine.op == node.op:
        operands.append(compile_node(spine.right))
        spine = spine.left
    operands.append(compile_node(spine))
    operands.reverse()
    combine = ops.logical_and if node.op == "and" else ops.logical_or

    def run(scope: Scope) -> Any:
        value = operands[0](scope)
        for operand in operands[1:]:
            value = combine(value, functools.partial(operand, scope))  # the right side only when needed
        return value

    return run


def _between(node: n.Node) -> Run:
    assert isinstance(node, n.Between)
    value, low, high = compile_node(node.value), compile_node(node.low), compile_node(node.high)

    def run(scope: Scope) -> Any:
        subject = value(scope)
        return ops.logical_and(
            ops.comparison(">=", subject, low(scope)), lambda: ops.comparison("<=", subject, high(scope))
        )

    return run


def _range(node: n.Node) -> Run:
    assert isinstance(node, n.RangeNode)
    start = compile_node(node.start) if node.start is not None else None
    end = compile_node(node.end) if node.end is not None else None
    start_included, end_included = node.start_included, node.end_included

    def run(scope: Scope) -> Any:
        low = start(scope) if start is not None else None
        high = end(scope) if end is not None else None
        if (low is None and high is None) or (low is None and start_included) or (high is None and end_included):
            return None  # [null..null], [null..10], [1..null]: an included end must be a value
        # a null end outside the range leaves that side open: (null..10] is <= 10, [10..null) is >= 10 (§10.3.2.7)
        return ops.make_range(low, high, start_included, end_included)

    return run


def compile_positive_test(node: n.Node) -> Callable[[Any, Scope], bool | None]:
    """One positive unary test as a function (input value, scope with ``?`` bound) → matched (None: unknown)."""
    run = compile_node(node)
    if isinstance(node, n.RangeNode):
        # a range whose ends make no range ([1..null]) decides nothing: null, not false
        return lambda value, scope: None if (bounds := run(scope)) is None else ops.matches(value, bounds)
    if isinstance(node, n.Comparison) and node.left == n.Name("?"):
        # "= e" / "!= e": the comparison with the input is the test, false included (10 in != 10 is false)
        return lambda value, scope: run(scope)
    uses_input = n.mentions(node, "?")

    def test(value: Any, scope: Scope) -> bool | None:
        result = run(scope)
        if uses_input and (result is True or result is None):
            return result  # "? > 5": a condition on the input that holds, or could not be decided (null input)
        # otherwise the expression's value is what the input must be: equal, a member of a list, in a range; a
        # true without "?" is no test of the input (string length("?") = 1 does not match "foo")
        return ops.matches(value, result)

    return test


def _in(node: n.Node) -> Run:
    assert isinstance(node, n.In)
    value = compile_node(node.value)
    tests = [compile_positive_test(test) for test in node.tests]
    binds = any(n.mentions(test, "?") for test in node.tests)

    def run(scope: Scope) -> Any:
        subject = value(scope)
        inner = Scope({"?": subject}, scope) if binds else scope  # x in (? > 3): the tests see the value as ?
        return ops.some_true(test(subject, inner) for test in tests)

    return run


def _instance_of(node: n.Node) -> Run:
    assert isinstance(node, n.InstanceOf)
    value, kind = compile_node(node.value), node.type
    return lambda scope: ops.instance_of(value(scope), kind)


def _if(node: n.Node) -> Run:
    assert isinstance(node, n.If)
    condition, then, otherwise = compile_node(node.condition), compile_node(node.then), compile_node(node.otherwise)
    return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)


def _list(node: n.Node) -> Run:
    assert isinstance(node, n.ListNode)
    items = [compile_node(item) for item in node.items]
    return lambda scope: [item(scope) for item in items]


def _context(node: n.Node) -> Run:
    assert isinstance(node, n.ContextNode)
    entries = [(key, compile_node(value)) for key, value in node.entries]

    def run(scope: Scope) -> Any:
        result: dict[str, Any] = {}
        inner = Scope(result, scope)  # later entries, and functions defined in entries, see earlier entries
        for key, value in entries:
            result[key] = value(inner)
        return result

    return run


_COMPILERS: dict[type, Callable[[Any], Run]] = {
    n.Literal: _literal,
    n.AtLiteral: _at_literal,
    n.Name: _name,
    n.Path: _path,
    n.Descendants: _descendants,
    n.Negation: _negation,
    n.Arithmetic: _arithmetic,
    n.Comparison: _comparison,
    n.Logical: _logical,
    n.Between: _between,
    n.RangeNode: _range,
    n.In: _in,
    n.InstanceOf: _instance_of,
    n.If: _if,
    n.ListNode: _list,
    n.ContextNode: _context,
    n.Filter: lambda node: compile_filter(node, compile_node),
    n.For: lambda node: compile_for(node, compile_node),
    n.Quantified: lambda node: compile_quantified(node, compile_node),
    n.Call: lambda node: compile_call(node, compile_node),
    n.FunctionDefinition: lambda node: compile_function_definition(node, compile_node),
}
