"""FEEL's operators on values: arithmetic with null propagation and temporal dispatch, comparison, ranges and
``instance of`` (DMN 1.5 §10.3.2.3–§10.3.2.9, Tables 55–61). Wrong kinds give null, never an exception."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel import budget, temporal
from feel.conformance import function_conforms
from feel.errors import FeelBudgetExceeded, FeelError
from feel.nodes import TypeRef
from feel.types import convert, resolve
from feel.values import NUMBER_CONTEXT, FeelFunction, Range, compare, equal, type_name

MAX_STRING_LENGTH = 10_000_000  # a string doubled in a loop would otherwise fill the memory before the CPU budget

_NUMBER_OPS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": NUMBER_CONTEXT.add,
    "-": NUMBER_CONTEXT.subtract,
    "*": NUMBER_CONTEXT.multiply,
    "/": NUMBER_CONTEXT.divide,
    "**": NUMBER_CONTEXT.power,
}
_TEMPORAL_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": temporal.add,
    "-": temporal.subtract,
    "*": temporal.multiply,
    "/": temporal.divide,
}


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """``a op b`` for + - * / **; null when either is null or the kinds do not fit."""
    if a is None or b is None:
        return None
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _number(op, a, b)
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_STRING_LENGTH:
            raise FeelBudgetExceeded(f"a string would be longer than {MAX_STRING_LENGTH:,} characters")
        budget.allocate(len(a) + len(b))
        return a + b
    if op in _TEMPORAL_OPS and (temporal.is_temporal(a) or temporal.is_temporal(b)):
        if isinstance(a, bool | str | list | dict) or isinstance(b, bool | str | list | dict):
            return None
        try:
            return _TEMPORAL_OPS[op](a, b)
        except FeelBudgetExceeded:
            raise
        except (ValueError, TypeError, ArithmeticError, OverflowError):
            return None
    return None


def _number(op: str, a: Decimal, b: Decimal) -> Decimal | None:
    try:
        if op == "**":
            return _power(a, b)
        result = _NUMBER_OPS[op](a, b)
    except (decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, ArithmeticError):
        return None
    return result if result.is_finite() else None


def _power(a: Decimal, b: Decimal) -> Decimal | None:
    if b == 0:
        return Decimal(1)  # 0 ** 0 too, as in the other decimal arithmetics DMN implementations follow
    if abs(b) > 1_000_000 and b == b.to_integral_value() and abs(a) != 1:
        # a huge integral power: decimal would compute it exactly first (slow); it overflows or vanishes
        if a == 0:
            return Decimal(0) if b > 0 else None
        return None if (abs(a) > 1) == (b > 0) else Decimal(0)
    result = NUMBER_CONTEXT.power(a, b)
    return result if result.is_finite() else None


def negate(value: Any) -> Any:
    """Arithmetic negation: numbers and durations; null otherwise."""
    if isinstance(value, Decimal):
        return NUMBER_CONTEXT.minus(value)
    if value is not None and not isinstance(value, bool) and temporal.is_temporal(value):
        try:
            return temporal.multiply(value, Decimal(-1))
        except (ValueError, TypeError, ArithmeticError):
            return None
    return None


def comparison(op: str, a: Any, b: Any) -> bool | None:
    """``= != < <= > >=``; null when the values cannot be compared."""
    if op == "=":
        return equal(a, b)
    if op == "!=":
        same = equal(a, b)
        return None if same is None else not same
    order = compare(a, b)
    if order is None:
        return None
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    if op == ">":
        return order > 0
    return order >= 0


def make_range(start: Any, end: Any, start_included: bool, end_included: bool) -> Range | None:
    """A range value; null when both ends are given but cannot be compared (``[1.."a"]``)."""
    if start is not None and end is not None and compare(start, end) is None:
        return None
    return Range(start, end, start_included, end_included)


def in_range(value: Any, bounds: Range) -> bool | None:
    """Whether ``value`` lies in the range; null when it cannot be compared with its ends."""
    if bounds.start is not None:
        order = compare(bounds.start, value)
        if order is None:
            return None
        if order > 0 or (order == 0 and not bounds.start_included):
            return False
    if bounds.end is not None:
        order = compare(value, bounds.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not bounds.end_included):
            return False
    return True


def matches(value: Any, test: Any) -> bool | None:
    """``value in test`` for one evaluated positive unary test: a range, a list (any member), or equality."""
    if isinstance(test, Range):
        return in_range(value, test)
    if isinstance(test, list):
        budget.tick(len(test))  # a rule testing against a long list costs its length (the CPU budget sees it)
        member = some_true(matches(value, item) for item in test)
        # [1, 2] in [1, 2]: a list tested against a list it is not a member of may still equal it
        return member if member is True or not isinstance(value, list) else equal(value, test)
    return equal(value, test)


def some_true(results: Any) -> bool | None:
    """Whether one result is true: false once any result was false (an element of another kind does not make
    ``true in [false, 2]`` null), null only when every result was null."""
    decided = False
    for result in results:
        if result is True:
            return True
        if result is False:
            decided = True
    return False if decided else None


def logical_and(a: Any, b: Callable[[], Any]) -> bool | None:
    """Three-valued ``and`` (``b`` evaluated only when ``a`` is not false); non-booleans count as null."""
    if a is False:
        return False
    right = b()
    if right is False:
        return False
    return True if a is True and right is True else None


def logical_or(a: Any, b: Callable[[], Any]) -> bool | None:
    """Three-valued ``or`` (``b`` evaluated only when ``a`` is not true)."""
    if a is True:
        return True
    right = b()
    if right is True:
        return True
    return False if a is False and right is False else None


_SIMPLE_TYPES = frozenset(
    {"number", "string", "boolean", "date", "time", "date and time", "days and time duration",
     "years and months duration", "list", "context", "range", "function"}
)  # fmt: skip


def instance_of(value: Any, kind: TypeRef) -> bool:
    """``value instance of kind`` (null is an instance of Null only; Any matches every non-null value)."""
    if kind.name == "Any":
        return value is not None
    if value is None:
        return kind.name == "Null"
    if kind.name not in _SIMPLE_TYPES and kind.name != "Null":
        return resolve(kind.name, value) is True
    actual = type_name(value)
    # inside a list or context, a null conforms to the declared type: Null is a subtype of every type (only a
    # null standing alone is an instance of Null alone)
    if kind.name == "list" and kind.args:
        return actual == "list" and all(item is None or instance_of(item, kind.args[0]) for item in value)
    if kind.name == "context" and kind.args:
        return actual == "context" and all(
            key in value and (value[key] is None or instance_of(value[key], inner))
            for key, inner in zip(kind.keys, kind.args, strict=True)
        )
    if kind.name == "range" and kind.args:
        ends = [end for end in (value.start, value.end) if end is not None] if actual == "range" else []
        return actual == "range" and all(instance_of(end, kind.args[0]) for end in ends)
    if kind.name == "function" and (kind.args or kind.result is not None):
        if not isinstance(value, FeelFunction):
            return False
        own = value.param_types or (None,) * len(value.params)
        return value.variadic or function_conforms(own, value.result_type, kind)
    return actual == kind.name


def conform(value: Any, kind: TypeRef | None) -> tuple[bool, Any]:
    """A parameter's argument against its declared type, with FEEL's implicit conversions (a singleton list
    for a non-list type, a value for a list type): (conforms, the converted value)."""
    if kind is None or value is None:
        return True, value
    if kind.name not in {*_SIMPLE_TYPES, "Any", "Null"}:
        # a parameter typed by a DMN item definition takes what conforms to it, allowed values included
        # (DMN 1.5 §10.3.2.9.4); ``instance of`` alone would let any string through a constrained string type
        converted = convert(kind.name, value)
        if converted is not None:
            return converted
    if instance_of(value, kind):
        return True, value
    if kind.name not in {*_SIMPLE_TYPES, "Any"}:
        return resolve(kind.name, value) is not False, value  # a type nobody knows accepts any value
    if isinstance(value, list) and len(value) == 1 and instance_of(value[0], kind):
        return True, value[0]
    if kind.name == "list" and kind.args and instance_of(value, kind.args[0]):
        return True, [value]
    if kind.name == "date and time" and type_name(value) == "date":
        # a date where a date and time is expected: midnight UTC of that day (DMN 1.5 §10.3.2.9.4)
        return True, temporal.parse_date_time(temporal.to_iso(value) + "T00:00:00Z")
    return False, None


def temporal_literal(text: str) -> Any:
    """The value of ``@"…"`` (FeelError when the text is no date, time, date and time or duration)."""
    value = temporal.parse_literal(text)
    if value is None:
        raise FeelError(f"@{text!r} is not a date, time, date and time or duration")
    return value
