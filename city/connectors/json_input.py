"""JSON from outside (a sender's order, an admin's file) read defensively: at most 18-digit integers (a 5,000-digit
number is refused, never computed with), finite numbers only, a bounded nesting depth."""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 20
MAX_DIGITS = 18


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number of more than {MAX_DIGITS} digits ({text[:12]}…)")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > 40:
        raise ValueError(f"a number out of range ({text[:12]}…)")
    return value


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def depth(value: Any, level: int = 0) -> int:
    """How deep ``value`` nests (stops counting past ``MAX_DEPTH``)."""
    if level > MAX_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max([depth(v, level + 1) for v in children], default=level)


def loads(text: str | bytes) -> Any:
    """The JSON value of ``text``; ValueError saying what is wrong (syntax, number, nesting)."""
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError as exc:
        raise ValueError(f"nests deeper than {MAX_DEPTH} levels") from exc
    except UnicodeDecodeError as exc:
        raise ValueError("is not UTF-8") from exc
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"nests deeper than {MAX_DEPTH} levels")
    return value
