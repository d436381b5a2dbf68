"""FEEL values as Python objects, and the conversions at the language's border (standard library only).

The value model every part of ``feel`` and ``dmn`` follows:

* null → ``None``; boolean → ``bool``; string → ``str``;
* number → ``decimal.Decimal`` always (never int or float inside FEEL), computed in ``NUMBER_CONTEXT``
  (34 significant digits, round half even: IEEE 754 decimal128, as DMN 1.5 §10.3.2.3.1 asks);
* list → ``list``; context → ``dict[str, Any]`` (insertion-ordered); range → ``Range``;
* function → ``FeelFunction`` (built-ins and user-defined functions alike);
* date, time, date and time and the two durations → the types of ``feel.temporal``.

``from_python`` converts a caller's data (JSON or Python: int, float, datetime…) on entry, ``to_python`` and
``to_json`` convert results on the way out. ``equal`` and ``compare`` are FEEL's ``=`` and ``<``: values of
different kinds are neither equal nor unequal but ``None`` (null), as the spec's semantics table says.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from feel import deep
from feel.errors import FeelError

#: decimal128: 34 digits, exponents as IEEE 754-2008 allows; overflow, invalid operations and division by zero
#: trap (raise), and the evaluator turns them into null.
NUMBER_CONTEXT = decimal.Context(
    prec=34,
    rounding=ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: The parameter name that marks a variadic function: ``params=("...",)`` takes any number of positional
#: arguments, ``params=("list", "...")`` one named ``list`` and then any number more.
VARIADIC = "..."


@dataclass(frozen=True)
class Range:
    """A FEEL range ``[start..end]``, ``(start..end]``…; ``start``/``end`` None for open ranges such as ``> 5``."""

    start: Any
    end: Any
    start_included: bool
    end_included: bool


@dataclass(frozen=True, eq=False)
class FeelFunction:
    """A FEEL function value: a built-in or a user-defined ``function(a, b) …``.

    ``params`` are the parameter names (the spec's names for built-ins, so named invocation works; a trailing
    ``VARIADIC`` takes any number of further positional arguments). ``call`` receives the arguments in
    parameter order (named invocation is reordered by the evaluator; arguments not given are left off the end,
    or None when a later one is given) and returns a FEEL value. A ``call`` that raises ValueError, TypeError or
    ArithmeticError (FeelError included, FeelBudgetExceeded excepted) makes the invocation null, as the spec's
    error semantics ask, so built-ins may simply raise on bad arguments.
    """

    params: tuple[str, ...]
    call: Callable[[list[Any]], Any]
    name: str = "anonymous function"
    #: the declared type of each parameter (a feel.nodes.TypeRef, None when untyped); empty when not known
    param_types: tuple[Any, ...] = ()
    #: the type of its result when the body's is known (a literal), else None
    result_type: Any = None
    #: for a built-in with overloads told apart by name (``context put``'s key or keys): whether it takes these
    #: named arguments (False: the named invocation is null); None takes any known names
    takes_named: Callable[[dict[str, Any]], bool] | None = None

    @property
    def variadic(self) -> bool:
        """True when the function takes any number of positional arguments after its named ones."""
        return bool(self.params) and self.params[-1] == VARIADIC


def number(value: int | str | Decimal) -> Decimal:
    """A FEEL number from an int, a numeric string or a Decimal, rounded to decimal128."""
    return NUMBER_CONTEXT.plus(Decimal(value))


def is_number(value: Any) -> bool:
    """True for a FEEL number (a Decimal; never a bool)."""
    return isinstance(value, Decimal)


@functools.cache
def _temporal() -> Any:
    # imported late (feel.temporal uses this module's number context), once: equal and compare run per rule cell
    return importlib.import_module("feel.temporal")


def type_name(value: Any) -> str:
    """The FEEL type of ``value`` as ``instance of`` names it: "number", "string", "Null", "date and time"…"""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, FeelFunction):
        return "function"
    temporal = _temporal()
    if temporal.is_temporal(value):
        return str(temporal.type_name(value))
    raise FeelError(f"{type(value).__name__} is not a FEEL value")


def from_python(value: Any) -> Any:
    """The FEEL value of a Python or JSON value: ints and floats become Decimal, tuples lists, dates temporal."""
    if value is None or isinstance(value, bool | str | Range | FeelFunction):
        return value
    if isinstance(value, Decimal):
        return None if not value.is_finite() else NUMBER_CONTEXT.plus(value)
    if isinstance(value, int):
        return NUMBER_CONTEXT.plus(Decimal(value))
    if isinstance(value, float):
        # repr is the shortest string that reads back as the same float: 0.1 → Decimal("0.1"), not 0.1000000…
        return NUMBER_CONTEXT.plus(Decimal(repr(value))) if value == value and abs(value) != float("inf") else None
    if isinstance(value, list | tuple | Mapping):
        return deep.rebuild(value, from_python, (list, tuple), Mapping)
    if isinstance(value, _dt.date | _dt.time | _dt.timedelta):
        return _temporal().from_python(value)
    temporal = _temporal()
    if temporal.is_temporal(value):
        return value
    raise FeelError(f"a {type(value).__name__} cannot be given to FEEL (numbers, strings, lists, dicts, dates)")


def _plain_number(value: Decimal) -> int | Decimal:
    if value == value.to_integral_value() and value.adjusted() < 100:
        return int(value)
    return value


def to_python(value: Any) -> Any:
    """Plain Python of a FEEL value: integral numbers as int (others stay Decimal, losslessly), datetime types."""
    if isinstance(value, Decimal):
        return _plain_number(value)
    if isinstance(value, list | dict):
        return deep.rebuild(value, to_python, list, dict)
    if isinstance(value, Range):
        return Range(to_python(value.start), to_python(value.end), value.start_included, value.end_included)
    if value is None or isinstance(value, bool | str | FeelFunction):
        return value
    return _temporal().to_python(value)


def to_json(value: Any) -> Any:
    """A JSON-ready value: numbers as int or float, temporal values and ranges as their FEEL strings."""
    if isinstance(value, Decimal):
        plain = _plain_number(value)
        return plain if isinstance(plain, int) else float(plain)
    if isinstance(value, list | dict):
        return deep.rebuild(value, to_json, list, dict)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, FeelFunction):
        return None
    return to_string(value)


def format_number(value: Decimal) -> str:
    """A number as FEEL's string() writes it: no exponent, no trailing zeros after the point (1.10 → "1.1")."""
    if value == 0:
        return "0"
    text = format(value.normalize(NUMBER_CONTEXT), "f")
    return text


def to_string(value: Any) -> str:
    """FEEL's own text of a value (string() of it; strings themselves unquoted at the top level)."""
    if isinstance(value, str):
        return value
    return _literal(value)


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_literal(item)}" for key, item in value.items()) + "}"
    if isinstance(value, Range):
        return _range_text(value)
    if isinstance(value, FeelFunction):
        return f"function({', '.join(value.params)})"
    return str(_temporal().to_iso(value))


def _range_text(value: Range) -> str:
    if value.start is None:
        return ("<= " if value.end_included else "< ") + _literal(value.end)
    if value.end is None:
        return (">= " if value.start_included else "> ") + _literal(value.start)
    opening = "[" if value.start_included else "("
    closing = "]" if value.end_included else ")"
    return f"{opening}{_literal(value.start)}..{_literal(value.end)}{closing}"


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return type(a) is type(b) or (isinstance(a, Decimal) and isinstance(b, Decimal))


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``a = b``: deep for lists and contexts; null = null is true, null = anything else false; values of
    different kinds are not comparable (None)."""
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return deep.all_pairs(a, b, _equal_leaf)  # walked without recursion: lists may nest very deep
    return _equal_leaf(a, b)


def _equal_leaf(a: Any, b: Any) -> bool | None:
    kind = type(a)
    if kind is type(b) and (kind is str or kind is Decimal):  # the common case of a table's cells, first
        return bool(a == b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, Range) and isinstance(b, Range):
        return (
            a.start_included == b.start_included
            and a.end_included == b.end_included
            and bool(equal(a.start, b.start))
            and bool(equal(a.end, b.end))
        )
    if isinstance(a, FeelFunction) or isinstance(b, FeelFunction):
        return a is b if isinstance(a, FeelFunction) and isinstance(b, FeelFunction) else None
    temporal = _temporal()
    if temporal.is_temporal(a) or temporal.is_temporal(b):
        return temporal.equal(a, b) if temporal.is_temporal(a) and temporal.is_temporal(b) else None
    if not _same_kind(a, b):
        return None
    return bool(a == b)


def compare(a: Any, b: Any) -> int | None:
    """FEEL ordering of two values: -1, 0 or 1; None when they cannot be ordered (null, different kinds…)."""
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return -1 if a < b else (1 if a > b else 0)
    if isinstance(a, str) and isinstance(b, str):
        return -1 if a < b else (1 if a > b else 0)
    temporal = _temporal()
    if temporal.is_temporal(a) and temporal.is_temporal(b):
        result = temporal.compare(a, b)
        return None if result is None else int(result)
    return None
