"""JSON lines for ``gridcase rules eval``: one line's inputs read with exact numbers, FEEL values written exactly.

The standard ``json`` module writes a ``Decimal`` only through ``float`` (0.1000000000000000000000000000000001
would come out as 0.1) or as a string; a FEEL number has 34 significant digits, so values are written here.
Imports the standard library and ``feel`` only: the command starts without the web or database stack.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NoReturn

from feel import temporal
from feel.values import FeelFunction, Range, format_number, to_string

MAX_DEPTH = 32  # objects and lists inside each other; real inputs use < 6 (as the API's limit)
_PLAIN_DIGITS = 100  # beyond 10^±100 a number is written with an exponent instead of hundreds of zeros


class NotJson(ValueError):
    """A FEEL value that has no JSON form (a function), naming where in the result it is."""


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number (numbers must be finite)")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain NUL (\\u0000) characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain unpaired surrogates (not valid Unicode text)"
    return None


def _problem(value: Any) -> str | None:
    """The first thing in ``value`` an evaluation cannot take (too deep, text that is not Unicode), or None.

    Iterative: data nested deeper than Python's recursion limit is reported, not a RecursionError later."""
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        where, node, depth = stack.pop()
        if isinstance(node, str) and (problem := _text_problem(node)):
            return f"{where or 'the line'} {problem}"
        if isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                return f"{where or 'the line'} must not be nested more than {MAX_DEPTH} levels deep"
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, item in items:
                if isinstance(key, str) and (problem := _text_problem(key)):
                    return f"the field name {key!r} {problem}"
                stack.append((f"{where}.{key}" if where else str(key), item, depth + 1))
    return None


def read_inputs(line: str) -> dict[str, Any]:
    """One line's inputs: a JSON object, numbers as ``Decimal`` (exactly as written); ValueError naming the
    problem (not JSON, not an object, NaN, nested too deep)."""
    try:
        inputs = json.loads(line, parse_float=Decimal, parse_int=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(inputs, dict):
        raise ValueError("each line must be a JSON object of inputs (input data by name)")
    problem = _problem(inputs)
    if problem is not None:
        raise ValueError(problem)
    return inputs


def number_text(value: Decimal) -> str:
    """A FEEL number as a JSON number with every digit it has: ``1.10`` → ``1.1``, ``2.00`` → ``2``,
    beyond 10^±100 with an exponent (``1E+400``)."""
    if not value.is_finite():  # FEEL has no NaN or infinity; never write what JSON cannot read
        return "null"
    if abs(value.adjusted()) < _PLAIN_DIGITS:
        return format_number(value)
    return str(value.normalize()).replace("e", "E")


def _scalar(value: Any, where: str) -> str:
    """The JSON text of anything but a list or a context."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, int | float):  # a caller's plain Python number
        return number_text(Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Range):  # "[1..10)", "< 5": FEEL's own text of the range
        return json.dumps(to_string(value), ensure_ascii=False)
    if temporal.is_temporal(value):  # ISO 8601: 2024-05-01, 10:00:00.000000001+08:00, P1DT2H, P1Y2M
        return json.dumps(temporal.to_iso(value), ensure_ascii=False)
    what = "a function" if isinstance(value, FeelFunction) else f"a {type(value).__name__}"
    raise NotJson(f"{repr(where) if where else 'the result'} is {what}, which has no JSON form")


def _write(value: Any, where: str, out: list[str]) -> None:
    if isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            out.append(", " if index else "")
            _write(item, f"{where}[{index + 1}]", out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append((", " if index else "") + json.dumps(str(key), ensure_ascii=False) + ": ")
            _write(item, f"{where}.{key}" if where else str(key), out)
        out.append("}")
    else:
        out.append(_scalar(value, where))


def dumps(value: Any) -> str:
    """A FEEL value as one line of JSON: numbers exact, temporal values ISO 8601, contexts as objects, lists as
    arrays, ranges as FEEL's text; NotJson for a function (anywhere inside)."""
    out: list[str] = []
    _write(value, "", out)
    return "".join(out)
