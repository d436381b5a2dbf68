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
        return bool(first == second)
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
_COMPARISON = re.compile(r"\s*(?P<operator><=|>=|<|>|=)(?P<body>.*)", re.DOTALL)
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


@functions("range", "from")
def range_of(source: Any) -> Range:
    """range(from): the range a string spells: ``[1..10)``, ``]a..b[``, ``< 5``, ``>= @"2020-01-01"``, ``= 3``."""
    value = text(source)
    comparison = _COMPARISON.fullmatch(value)
    if comparison:
        point, operator = _endpoint(comparison["body"]), comparison["operator"]
        if operator == "=":
            return Range(point, point, True, True)
        if operator.startswith("<"):
            return Range(None, point, False, operator == "<=")
        return Range(point, None, operator == ">=", False)
    bracketed = _BRACKETED.fullmatch(value)
    if bracketed is None:
        raise ValueError("not a range")
    low, high = (_endpoint(part) for part in _split_bounds(bracketed["body"]))
    if compare(low, high) is None:
        raise TypeError("endpoints of different kinds")
    return Range(low, high, bracketed["open"] == "[", bracketed["close"] == "]")


FUNCTIONS = functions.functions
