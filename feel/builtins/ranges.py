"""Range built-ins (DMN 1.5 §10.3.4.9): before, after, meets, overlaps, includes, during, starts, coincides…

Each takes two points, a point and a range, or two ranges, as the spec's formulas say. An open end of a range
(``> 5`` has no end) compares as beyond every value. Incomparable endpoints make the result null.
"""

from __future__ import annotations

from typing import Any

from feel.builtins._registry import Registry
from feel.values import Range, compare

functions = Registry()
_LOW, _HIGH = object(), object()  # the missing start and end of an open range


def _order(a: Any, b: Any) -> int:
    if a is _LOW or b is _HIGH:
        return 0 if a is b else -1
    if a is _HIGH or b is _LOW:
        return 0 if a is b else 1
    found = compare(a, b)
    if found is None:
        raise TypeError("endpoints that cannot be compared")
    return found


class _R:
    """A range with its open ends as sentinels."""

    def __init__(self, value: Range) -> None:
        self.start = _LOW if value.start is None else value.start
        self.end = _HIGH if value.end is None else value.end
        self.si, self.ei = value.start_included, value.end_included


def _args(args: tuple[Any, ...], range_first: bool) -> tuple[Any, Any]:
    """The two operands: positional, or named (``point1``/``point2``, ``point``/``range``, ``range1``/``range2``).

    Named ``point`` and ``range`` keep the order of the spec's signature for the function (``includes(range,
    point)``, ``during(point, range)``), since a call by name does not say which came first.
    """
    if len(args) > 2:
        padded = list(args) + [None] * (6 - len(args))
        pairs = [(padded[0], padded[1]), (padded[3], padded[2]) if range_first else (padded[2], padded[3])]
        pairs.append((padded[4], padded[5]))
        given = [pair for pair in pairs if pair != (None, None)]
        if len(given) != 1:
            raise TypeError("arguments by name of one signature")
        args = given[0]
    if len(args) != 2 or args[0] is None or args[1] is None:
        raise TypeError("two arguments")
    return tuple(_R(arg) if isinstance(arg, Range) else arg for arg in args)  # type: ignore[return-value]


def _before(a: Any, b: Any) -> bool:
    if isinstance(a, _R) and isinstance(b, _R):
        order = _order(a.end, b.start)
        return order < 0 or (order == 0 and not (a.ei and b.si))
    if isinstance(b, _R):
        order = _order(a, b.start)
        return order < 0 or (order == 0 and not b.si)
    if isinstance(a, _R):
        order = _order(a.end, b)
        return order < 0 or (order == 0 and not a.ei)
    return _order(a, b) < 0


def _ranges(a: Any, b: Any) -> tuple[_R, _R]:
    if not (isinstance(a, _R) and isinstance(b, _R)):
        raise TypeError("two ranges")
    return a, b


def _meets(a: Any, b: Any) -> bool:
    r1, r2 = _ranges(a, b)
    return r1.ei and r2.si and _order(r1.end, r2.start) == 0


def _overlaps(a: Any, b: Any) -> bool:
    r1, r2 = _ranges(a, b)
    end_start, start_end = _order(r1.end, r2.start), _order(r1.start, r2.end)
    return (end_start > 0 or (end_start == 0 and r1.ei and r2.si)) and (
        start_end < 0 or (start_end == 0 and r1.si and r2.ei)
    )


def _overlaps_before(a: Any, b: Any) -> bool:
    r1, r2 = _ranges(a, b)
    starts, end_start, ends = _order(r1.start, r2.start), _order(r1.end, r2.start), _order(r1.end, r2.end)
    return (
        (starts < 0 or (starts == 0 and r1.si and not r2.si))
        and (end_start > 0 or (end_start == 0 and r1.ei and r2.si))
        and (ends < 0 or (ends == 0 and (not r1.ei or r2.ei)))
    )


def _finishes(a: Any, b: Any) -> bool:
    if not isinstance(b, _R):
        raise TypeError("finishes needs a range second")
    if not isinstance(a, _R):
        return b.ei and _order(b.end, a) == 0
    starts = _order(a.start, b.start)
    return a.ei == b.ei and _order(a.end, b.end) == 0 and (starts > 0 or (starts == 0 and (not a.si or b.si)))


def _includes(a: Any, b: Any) -> bool:
    if not isinstance(a, _R):
        raise TypeError("includes needs a range first")
    if not isinstance(b, _R):
        after_start, before_end = _order(a.start, b), _order(a.end, b)
        return (after_start < 0 and before_end > 0) or (after_start == 0 and a.si) or (before_end == 0 and a.ei)
    starts, ends = _order(a.start, b.start), _order(a.end, b.end)
    return (starts < 0 or (starts == 0 and (a.si or not b.si))) and (ends > 0 or (ends == 0 and (a.ei or not b.ei)))


def _starts(a: Any, b: Any) -> bool:
    if not isinstance(b, _R):
        raise TypeError("starts needs a range second")
    if not isinstance(a, _R):
        return b.si and _order(b.start, a) == 0
    ends = _order(a.end, b.end)
    return _order(a.start, b.start) == 0 and a.si == b.si and (ends < 0 or (ends == 0 and (not a.ei or b.ei)))


def _coincides(a: Any, b: Any) -> bool:
    if isinstance(a, _R) and isinstance(b, _R):
        return _order(a.start, b.start) == 0 and _order(a.end, b.end) == 0 and a.si == b.si and a.ei == b.ei
    if isinstance(a, _R) or isinstance(b, _R):
        raise TypeError("two points or two ranges")
    return _order(a, b) == 0


_PARAMS = ("point1", "point2", "point", "range", "range1", "range2")


def _define(name: str, test: Any, swapped: bool, range_first: bool) -> None:
    def relation(*args: Any) -> bool:
        a, b = _args(args, range_first)
        return bool(test(b, a) if swapped else test(a, b))

    relation.__doc__ = f"{name}(…): the spec's relation between two points, a point and a range, or two ranges."
    functions(name, *_PARAMS)(relation)


_RELATIONS = (  # name, test, operands swapped, named point and range come range first
    ("before", _before, False, False),
    ("after", _before, True, False),
    ("meets", _meets, False, False),
    ("met by", _meets, True, False),
    ("overlaps", _overlaps, False, False),
    ("overlaps before", _overlaps_before, False, False),
    ("overlaps after", _overlaps_before, True, False),
    ("finishes", _finishes, False, False),
    ("finished by", _finishes, True, True),
    ("includes", _includes, False, True),
    ("during", _includes, True, False),
    ("starts", _starts, False, False),
    ("started by", _starts, True, True),
    ("coincides", _coincides, False, False),
)
for _name, _test, _swapped, _range_first in _RELATIONS:
    _define(_name, _test, _swapped, _range_first)

FUNCTIONS = functions.functions
