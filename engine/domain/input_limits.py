"""What no input may carry, whatever its field: the limits every entry point and command share.

A database cannot keep some values a JSON parser happily returns: PostgreSQL refuses text holding a NUL
character, UTF-8 has no encoding for an unpaired surrogate (``"\\ud800"`` in JSON), JSON has no NaN or
Infinity, integers beyond 64 bits fit no column, and data nested thousands of levels deep overflows every
recursive walk after the parser (copying, hashing, the workflow's serializer). These helpers find such a
value and name where it is, so that the caller can refuse it as a 422 naming the field instead of failing
later with a 500. Pure: the standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

MAX_DEPTH = 32  # objects and lists inside each other; real documents (forms, payloads, DMN inputs) use < 6
MAX_INTEGER = 2**63 - 1  # the widest integer column (BIGINT, SQLite INTEGER)
FIRST_YEAR, LAST_YEAR = 1900, 2999  # moments outside these are typos or probes, never case times
ECHO_CHARS = 200  # how much of a refused value an error message repeats


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL character, an unpaired surrogate), or None when it can."""
    if "\x00" in text:
        return "must not contain NUL (\\u0000) characters"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain unpaired surrogates (not valid Unicode text)"
    return None


def text_fault(value: Any, limit: int, *, required: bool = True) -> str | None:
    """What is wrong with a text field of at most ``limit`` characters (None: nothing); ``required=False`` lets
    it be None."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        return "must not be empty" if isinstance(value, str) else "must be text"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return text_problem(value)


def number_problem(value: float) -> str | None:
    """Why a JSON number cannot be kept (NaN, an infinity, an integer wider than 64 bits), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (not NaN or Infinity)"
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        return f"must be between {-MAX_INTEGER} and {MAX_INTEGER}"
    return None


def _children(node: Any, path: str) -> Iterator[tuple[str, Any, str | None]]:
    """(path, value, problem of the key) of each member of a list or an object."""
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key)
            yield f"{path}.{name}" if path else name, value, text_problem(name)
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield f"{path}.{index}" if path else str(index), value, None


def value_problem(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first value inside JSON ``value`` that cannot be kept, as (dotted path, message); None when all can.

    The walk is iterative, so data nested deeper than the interpreter's recursion limit is reported too.
    """
    stack: list[tuple[str, Any, int]] = [(path, value, 0)]
    while stack:
        where, node, depth = stack.pop()
        if isinstance(node, str):
            problem = text_problem(node)
        elif isinstance(node, int | float) and not isinstance(node, bool):
            problem = number_problem(node)
        elif isinstance(node, dict | list | tuple):
            if depth >= MAX_DEPTH:
                return where or "body", f"must not be nested more than {MAX_DEPTH} levels deep"
            children = list(_children(node, where))
            for child_path, _child, key_problem in children:
                if key_problem is not None:
                    return child_path, f"the field name {key_problem}"
            stack.extend((child_path, child, depth + 1) for child_path, child, _ in reversed(children))
            continue
        else:
            problem = None
        if problem is not None:
            return where or "body", problem
    return None


def moment_problem(moment: datetime) -> str | None:
    """Why a moment cannot be a case's time (no time zone, outside 1900–2999 in UTC), or None."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "needs a time zone"
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError:
        return f"must be in {FIRST_YEAR}–{LAST_YEAR}"
    if not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
        return f"must be in {FIRST_YEAR}–{LAST_YEAR}"
    return None


def echo(value: object, limit: int = ECHO_CHARS) -> str:
    """``value`` as text fit to repeat in an error message: at most ``limit`` characters, valid Unicode."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text)} characters)"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
