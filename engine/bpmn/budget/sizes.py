"""Sizes the meter estimates before an operation and checks after an inline script: how long a value's repr can
be, and how big it is expanded as a tree (shared sub-objects counted each time)."""

from __future__ import annotations

import re
import sys
from typing import Any

_DICT_VIEWS: tuple[type[Any], ...] = (type({}.keys()), type({}.values()), type({}.items()))
_ITERABLES: tuple[type[Any], ...] = (list, tuple, set, frozenset, *_DICT_VIEWS)
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)


def itemsize(seq: Any) -> int:
    """Bytes per element a sequence of this type needs at least."""
    return 8 if isinstance(seq, list | tuple) else 1


def as_int(text: str | bytes) -> int:
    """A width written in a format: huge numbers (beyond int-from-str limits) count as unbounded."""
    try:
        return min(int(text), sys.maxsize)
    except ValueError:
        return sys.maxsize


def percent_widths(fmt: str | bytes, args: Any) -> int:
    """Characters that ``fmt % args`` pads to (widths and precisions, ``*`` taken from ``args``)."""
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else fmt
    values = list(args) if isinstance(args, tuple) else [args]
    total, index = 0, 0
    for match in _PERCENT.finditer(text):
        for part in (match.group(1), match.group(2)):
            if part == "*":
                star = values[index] if index < len(values) else 0
                total += abs(star) if isinstance(star, int) else 0
                index += 1
            elif part:
                total += as_int(part)
        index += match.group(3) != "%"
    return total


def estimate(value: Any, cap: int) -> int:
    """Upper bound of ``len(repr(value))``, walking containers; stops counting once above ``cap``."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) * (4 if item.isascii() else 10) + 2
        elif isinstance(item, bytes | bytearray):
            total += 4 * len(item) + 3
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 4 * len(item) + 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _ITERABLES):
            total += 2 * len(item) + 2 + (16 if isinstance(item, _DICT_VIEWS) else 0)  # dict_values([...])
            stack.extend(item)
        elif isinstance(item, BaseException):  # str(e)/repr(e) show its args: KeyError((s, s, ...))
            total += len(type(item).__name__) + 2 * len(item.args) + 2
            stack.extend(item.args)
        else:
            total += 64
    return total


def expanded_size(value: Any, cap: int) -> int:
    """Elements and characters of ``value`` as a tree (shared sub-objects counted each time); stops above ``cap``."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


def tree_size(value: Any, cap: int) -> int:
    """Like :func:`expanded_size`, but a container met twice (shared, or a cycle) counts as ``cap + 1``."""
    total, stack, seen = 0, [value], set()
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, dict | list | tuple | set | frozenset):
            if id(item) in seen:
                return cap + 1
            seen.add(id(item))
            if isinstance(item, dict):  # keys and values, never items(): its pairs are freed as the walk goes,
                stack.extend(item.keys())  # and a new pair at a freed pair's address looked "met twice"
                stack.extend(item.values())
            else:
                stack.extend(item)
    return total
