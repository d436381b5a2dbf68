"""Iteration in FEEL: filters ``list[…]``, ``for … return``, ``some``/``every … satisfies`` (DMN 1.5
§10.3.2.5, §10.3.2.14). Every step is counted by ``feel.budget`` so a billion-step loop ends with
FeelBudgetExceeded, and ``a..b`` is iterated lazily, never built as a list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from feel import budget, temporal
from feel import nodes as n
from feel.scope import Scope
from feel.values import Range

Run = Callable[[Scope], Any]
Compile = Callable[[n.Node], Run]


class _NullDomain(Exception):
    """An iteration domain is not iterable: the whole expression is null."""


def _item_scope(item: Any, scope: Scope) -> Scope:
    # inside a filter: the element is `item`, and a context element's entries are names too
    inner = Scope({"item": item}, scope)
    return Scope(item, inner) if isinstance(item, dict) else inner


def _index(items: list[Any], position: Decimal) -> Any:
    if position != position.to_integral_value():
        return None
    index = int(position)
    if 0 < index <= len(items):
        return items[index - 1]
    if 0 < -index <= len(items):
        return items[index]
    return None


def compile_filter(node: n.Filter, compile_node: Compile) -> Run:
    """``base[condition]``: a number picks an element (1-based, negative from the end), a boolean filters."""
    base, condition = compile_node(node.base), compile_node(node.condition)

    def run(scope: Scope) -> Any:
        value = base(scope)
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        if not items:
            probe = condition(scope)
            return None if isinstance(probe, Decimal) else []
        first = condition(_item_scope(items[0], scope))
        if isinstance(first, Decimal):
            return _index(items, first)
        kept = [items[0]] if first is True else []
        for item in items[1:]:
            budget.tick()
            if condition(_item_scope(item, scope)) is True:
                kept.append(item)
        return kept

    return run


def _integers(start: Any, end: Any) -> Iterator[Any]:
    if _is_date(start) and _is_date(end):
        yield from _days(start, end)
        return
    if not (isinstance(start, Decimal) and isinstance(end, Decimal)):
        raise _NullDomain
    if start != start.to_integral_value() or end != end.to_integral_value():
        raise _NullDomain
    step = 1 if end >= start else -1
    current, last = int(start), int(end)
    while True:
        yield Decimal(current)
        if current == last:
            return
        current += step


def _is_date(value: Any) -> bool:
    return (
        value is not None
        and not isinstance(value, bool | str | Decimal | list | dict)
        and (temporal.is_temporal(value) and temporal.type_name(value) == "date")
    )


def _days(start: Any, end: Any) -> Iterator[Any]:
    """The dates from ``start`` to ``end`` (either way), one day apart: for d in @"2024-01-01"..@"2024-01-07"."""
    step = temporal.parse_literal("P1D" if temporal.compare(start, end) != 1 else "-P1D")
    current = start
    while True:
        yield current
        if temporal.compare(current, end) == 0:
            return
        current = temporal.add(current, step)


def _domain(value: Any, end: Any, has_end: bool) -> Iterable[Any]:
    if has_end:
        return _integers(value, end)
    if isinstance(value, list):
        return value
    if isinstance(value, Range) and value.start is not None and value.end is not None:
        numbers = _integers(value.start, value.end)
        return (
            x for x in numbers if (value.start_included or x != value.start) and (value.end_included or x != value.end)
        )
    if value is None:
        raise _NullDomain
    return [value]


def _bindings(iterations: list[tuple[str, Run, Run | None]], index: int, scope: Scope) -> Iterator[Scope]:
    """Every combination of the iteration variables' values, as scopes (the first iteration outermost)."""
    if index == len(iterations):
        yield scope
        return
    name, domain, end = iterations[index]
    items = _domain(domain(scope), end(scope) if end is not None else None, end is not None)
    for item in items:
        budget.tick()
        yield from _bindings(iterations, index + 1, Scope({name: item}, scope))


def _compile_iterations(
    iterations: tuple[n.Iteration, ...], compile_node: Compile
) -> list[tuple[str, Run, Run | None]]:
    return [
        (it.name, compile_node(it.domain), compile_node(it.end) if it.end is not None else None) for it in iterations
    ]


def compile_for(node: n.For, compile_node: Compile) -> Run:
    """``for x in …, y in … return body``: the list of the body's values (``partial``: the values so far)."""
    iterations = _compile_iterations(node.iterations, compile_node)
    body = compile_node(node.body)
    uses_partial = node.uses_partial

    def run(scope: Scope) -> Any:
        results: list[Any] = []
        try:
            for inner in _bindings(iterations, 0, scope):
                if uses_partial:
                    inner = Scope({"partial": list(results)}, inner)
                results.append(body(inner))
        except _NullDomain:
            return None
        return results

    return run


def compile_quantified(node: n.Quantified, compile_node: Compile) -> Run:
    """``some`` (true when one combination satisfies) / ``every`` (false when one does not)."""
    iterations = _compile_iterations(node.iterations, compile_node)
    condition = compile_node(node.condition)
    every = node.kind == "every"

    def run(scope: Scope) -> Any:
        try:
            for inner in _bindings(iterations, 0, scope):
                satisfied = condition(inner) is True
                if satisfied != every:
                    return satisfied
        except _NullDomain:
            return None
        return every

    return run
