"""The remaining built-ins: ``is`` (same kind and value), ``get or else`` and ``range(from)``."""

from __future__ import annotations

import re
from typing import Any

from feel import temporal
from feel.builtins._registry import Registry, text
from feel.values import Range, compare, equal, number, type_name

functions = Registry()


@functions("is", "value1", "value2")
def is_same(first: Any, second: Any) -> bool:
    """is(value1, value2): the same kind and the same value; temporal values also the same offset or zone."""
    if type_name(first) != type_name(second):
        return False
    if temporal.is_temporal(first):
        return temporal.identical(first, second)
    return equal(first, second) is True


@functions("get or else", "value", "default")
def get_or_else(value: Any, default: Any) -> Any:
    """get or else(value, default): ``value`` unless it is null."""
    return default if value is None else value


_STRING = r'"(?:[^"\\]|\\.)*"'
_ENDPOINT = re.compile(
    rf"\s*(?:(?P<number>-?(?:\d+(?:\.\d*)?|\.\d+))|(?P<string>{_STRING})|@(?P<temporal>{_STRING})"
    rf"|(?P<call>date and time|date|time|duration)\s*\(\s*(?P<argument>{_STRING})\s*\))\s*"
)
_BRACKETED = re.compile(r"\s*(?P<open>[\[(\]])(?P<body>.*)(?P<close>[\])\[])\s*", re.DOTALL)
_CALLS = {"date": "date", "time": "time", "date and time": "date and time", "duration": "duration"}


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", lambda found: {"n": "\n", "t": "\t", "r": "\r"}.get(found[1], found[1]), literal[1:-1])


def _endpoint(source: str) -> Any:
    found = _ENDPOINT.fullmatch(source)
    if found is None:
        raise ValueError(f"not a range endpoint: {source!r}")
    if found["number"]:
        return number(found["number"])
    if found["string"]:
        return _unquote(found["string"])
    if found["temporal"]:
        return temporal.parse_literal(_unquote(found["temporal"]))
    from feel.builtins.conversion import FUNCTIONS as CONVERSION

    value = CONVERSION[_CALLS[found["call"]]].call([_unquote(found["argument"])])
    if value is None:
        raise ValueError(f"not a {found['call']}: {found['argument']}")
    return value


def _split_bounds(body: str) -> tuple[str, str]:
    in_string, index = False, 0
    while index < len(body) - 1:
        char = body[index]
        if char == "\\" and in_string:
            index += 2
            continue
        if char == '"':
            in_string = not in_string
        elif not in_string and body.startswith("..", index):
            return body[:index], body[index + 2 :]
        index += 1
    raise ValueError("a range needs '..'")


def _bound(source: str) -> Any:
    """An endpoint, or None for an empty one (``[2..)``: no end)."""
    return None if not source.strip() else _endpoint(source)


@functions("range", "from")
def range_of(source: Any) -> Range:
    """range(from): the range a range literal spells — ``[1..10)``, ``]a..b[``, ``[2..)``, ``(..@"2020-01-01"]``.

    Endpoints are literals (numbers, strings, ``@"…"``, or ``date("…")``-style calls on a string literal) of
    one kind, ascending; an empty endpoint needs an open bracket on its side. Anything else is null.
    """
    bracketed = _BRACKETED.fullmatch(text(source))
    if bracketed is None:
        raise ValueError("not a range literal")
    low, high = (_bound(part) for part in _split_bounds(bracketed["body"]))
    start_included, end_included = bracketed["open"] == "[", bracketed["close"] == "]"
    if (low is None and (start_included or high is None)) or (high is None and end_included):
        raise ValueError("an empty endpoint must be open")
    if low is not None and high is not None:
        order = compare(low, high)
        if order is None or order > 0 or type_name(low) != type_name(high):
            raise TypeError("endpoints of different kinds, or descending")
    return Range(low, high, start_included, end_included)


FUNCTIONS = functions.functions
