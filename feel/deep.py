"""Walking nested lists and contexts without recursion, so a value nested deeper than Python's stack (a list
inside a list ten thousand times, as JSON input or a FEEL loop can build) converts and compares like any other.

``rebuild`` copies a nested structure, converting its leaves; ``all_pairs`` combines a three-valued test over
two structures walked side by side. Both count the nodes they visit and stop at ``MAX_NODES`` (a value that
refers to itself would otherwise never end)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from feel.errors import FeelError

#: the most containers and leaves one walk visits: far beyond any real input, short of an endless cycle
MAX_NODES = 20_000_000


def rebuild(
    value: Any,
    leaf: Callable[[Any], Any],
    sequences: type | tuple[type, ...],
    mappings: type | tuple[type, ...],
    key: Callable[[Any], str] = str,
) -> Any:
    """A copy of ``value`` with every list-like (``sequences``) a list, every mapping a dict with keys ``key(k)``
    (order kept) and every other value ``leaf(value)``."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    visited = 0
    while stack:
        source, target, slot = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise FeelError(f"a value of more than {MAX_NODES:,} parts (or one that contains itself)")
        container: Any = source  # a caller's type, narrowed by isinstance below only to object
        if isinstance(source, sequences):
            copy: list[Any] = [None] * len(container)
            target[slot] = copy
            stack.extend((item, copy, index) for index, item in enumerate(container))
        elif isinstance(source, mappings):
            entries: dict[str, Any] = {}
            target[slot] = entries
            for name, item in container.items():
                converted = key(name)
                entries[converted] = None  # placed now so the copy keeps the source's order
                stack.append((item, entries, converted))
        else:
            target[slot] = leaf(source)
    return root[0]


def all_pairs(a: Any, b: Any, leaf: Callable[[Any, Any], bool | None]) -> bool | None:
    """Three-valued "every part of ``a`` equals its part of ``b``": False as soon as a pair is False (lists of
    different lengths, contexts of different names), else None if a pair is None, else True. Lists pair with
    lists and dicts with dicts; any other pair (a list against a number, say) is judged by ``leaf``."""
    result: bool | None = True
    for left, right in _pairs(a, b):
        if isinstance(left, list) and isinstance(right, list):
            same: bool | None = len(left) == len(right) or False
        elif isinstance(left, dict) and isinstance(right, dict):
            same = left.keys() == right.keys() or False
        else:
            same = leaf(left, right)
        if same is False:
            return False
        if same is None:
            result = None
    return result


def _pairs(a: Any, b: Any) -> Iterator[tuple[Any, Any]]:
    stack: list[tuple[Any, Any]] = [(a, b)]
    visited = 0
    while stack:
        left, right = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise FeelError(f"a value of more than {MAX_NODES:,} parts (or one that contains itself)")
        yield left, right
        if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
            stack.extend(zip(reversed(left), reversed(right), strict=True))
        elif isinstance(left, dict) and isinstance(right, dict) and left.keys() == right.keys():
            stack.extend((left[name], right[name]) for name in reversed(list(left)))

