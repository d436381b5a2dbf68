"""List built-ins (DMN 1.5 §10.3.4.4): membership, aggregation, slicing and set-like operations.

Equality is FEEL's (``feel.values.equal``: deep, null = null); positions are 1-based and negative positions count
from the end. ``min``, ``max``, ``sum``… take one list or the items themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from feel import budget
from feel.builtins._registry import VARIADIC, Registry, a_list, integer, items_of, number
from feel.values import NUMBER_CONTEXT, compare, equal

functions = Registry()


@functions("list contains", "list", "element")
def list_contains(items: Any, element: Any) -> bool:
    """list contains(list, element)."""
    return any(equal(item, element) is True for item in a_list(items))


@functions("count", "list")
def count(items: Any) -> Decimal:
    """count(list)."""
    return Decimal(len(a_list(items)))


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    values = items_of(args)
    best = values[0]
    for item in values[1:]:
        order = compare(item, best)
        if order is None:
            raise TypeError("items that cannot be compared")
        if order == sign:
            best = item
    if len(values) == 1 and compare(best, best) is None:
        raise TypeError("an item that cannot be compared")
    return best


@functions("min", "list", VARIADIC)
def minimum(*args: Any) -> Any:
    """min(list) or min(c1, …, cN): the least item; null for an empty list or incomparable items."""
    return _extreme(args, -1)


@functions("max", "list", VARIADIC)
def maximum(*args: Any) -> Any:
    """max(list) or max(c1, …, cN)."""
    return _extreme(args, 1)


def _numbers(args: tuple[Any, ...]) -> list[Decimal]:
    """The numbers of a list (or the arguments); ValueError for none at all, as sum([]) is null."""
    values = [number(item) for item in items_of(args)]
    if not values:
        raise ValueError("no numbers")
    budget.tick(len(values))
    return values


@functions("sum", "list", VARIADIC)
def total(*args: Any) -> Decimal:
    """sum(list) or sum(n1, …, nN): null for an empty list (sum([]) is null) or a non-number."""
    result = Decimal(0)
    for value in _numbers(args):
        result = NUMBER_CONTEXT.add(result, value)
    return result


@functions("mean", "list", VARIADIC)
def mean(*args: Any) -> Decimal:
    """mean(list) or mean(n1, …, nN)."""
    values = _numbers(args)
    return NUMBER_CONTEXT.divide(total(*values), Decimal(len(values)))


@functions("median", "list", VARIADIC)
def median(*args: Any) -> Decimal:
    """median(list) or median(n1, …, nN): the middle value, or the mean of the two middle values."""
    values = sorted(_numbers(args))
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return NUMBER_CONTEXT.divide(NUMBER_CONTEXT.add(values[middle - 1], values[middle]), Decimal(2))


@functions("stddev", "list", VARIADIC)
def stddev(*args: Any) -> Decimal:
    """stddev(list) or stddev(n1, …, nN): the sample standard deviation (null for fewer than two values)."""
    values = _numbers(args)
    if len(values) < 2:
        raise ValueError("stddev needs two values")
    average = mean(*values)
    squares = Decimal(0)
    for value in values:  # in decimal128 throughout, not the thread's default 28 digits
        deviation = NUMBER_CONTEXT.subtract(value, average)
        squares = NUMBER_CONTEXT.add(squares, NUMBER_CONTEXT.multiply(deviation, deviation))
    return NUMBER_CONTEXT.sqrt(NUMBER_CONTEXT.divide(squares, Decimal(len(values) - 1)))


@functions("mode", "list", VARIADIC)
def mode(*args: Any) -> list[Decimal]:
    """mode(list) or mode(n1, …, nN): the most frequent values, ascending ([] for an empty list)."""
    if len(args) == 1 and args[0] == []:
        return []
    counts: dict[Decimal, int] = {}
    for value in _numbers(args):
        counts[value] = counts.get(value, 0) + 1
    most = max(counts.values())
    return sorted(value for value, seen in counts.items() if seen == most)


def _booleans(args: tuple[Any, ...]) -> list[Any]:
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    return list(args)


@functions("all", "list", VARIADIC)
def all_of(*args: Any) -> bool | None:
    """all(list) or all(b1, …, bN): false if any is false, null if any is not a boolean, else true."""
    values = _booleans(args)
    if any(value is False for value in values):
        return False
    return None if any(not isinstance(value, bool) for value in values) else True


@functions("any", "list", VARIADIC)
def any_of(*args: Any) -> bool | None:
    """any(list) or any(b1, …, bN): true if any is true, null if any is not a boolean, else false."""
    values = _booleans(args)
    if any(value is True for value in values):
        return True
    return None if any(not isinstance(value, bool) for value in values) else False


def _index(items: list[Any], position: Any) -> int:
    """The 0-based index of a 1-based (or negative, from the end) position; IndexError outside the list."""
    place = integer(position)
    if place == 0 or abs(place) > len(items):
        raise IndexError("position outside the list")
    return place - 1 if place > 0 else len(items) + place


@functions("sublist", "list", "start position", "length")
def sublist(items: Any, start: Any, length: Any = None) -> list[Any]:
    """sublist(list, start position, length?)."""
    values = a_list(items)
    begin = _index(values, start)
    if length is None:
        return values[begin:]
    size = integer(length)
    if size < 0 or begin + size > len(values):
        raise IndexError("length beyond the list")
    return values[begin : begin + size]


@functions("append", "list", VARIADIC)
def append(items: Any, *more: Any) -> list[Any]:
    """append(list, item…)."""
    return [*a_list(items), *more]


@functions("concatenate", VARIADIC)
def concatenate(*lists: Any) -> list[Any]:
    """concatenate(list…): the lists one after another."""
    result: list[Any] = []
    for items in lists:
        result.extend(a_list(items))
    return result


@functions("insert before", "list", "position", "newItem")
def insert_before(items: Any, position: Any, new_item: Any) -> list[Any]:
    """insert before(list, position, newItem)."""
    values = list(a_list(items))
    values.insert(_index(values, position), new_item)
    return values


@functions("remove", "list", "position")
def remove(items: Any, position: Any) -> list[Any]:
    """remove(list, position)."""
    values = list(a_list(items))
    del values[_index(values, position)]
    return values


@functions("reverse", "list")
def reverse(items: Any) -> list[Any]:
    """reverse(list)."""
    return a_list(items)[::-1]


@functions("index of", "list", "match")
def index_of(items: Any, match: Any) -> list[Decimal]:
    """index of(list, match): the 1-based positions of the items equal to ``match``."""
    return [Decimal(place) for place, item in enumerate(a_list(items), 1) if equal(item, match) is True]


def _distinct(values: list[Any]) -> list[Any]:
    result: list[Any] = []
    for value in values:
        budget.tick(1 + len(result) // 16)
        if not any(equal(kept, value) is True for kept in result):
            result.append(value)
    return result


@functions("union", VARIADIC)
def union(*lists: Any) -> list[Any]:
    """union(list…): the items of all lists, each once."""
    return _distinct(concatenate(*lists))


@functions("distinct values", "list")
def distinct_values(items: Any) -> list[Any]:
    """distinct values(list): each item once, in first-seen order."""
    return _distinct(a_list(items))


def _flatten(values: list[Any]) -> list[Any]:
    """Depth-first, without recursion: a list nested thousands deep must not exhaust Python's stack."""
    result: list[Any] = []
    stack: list[Iterator[Any]] = [iter(values)]
    while stack:
        for value in stack[-1]:
            budget.tick()
            if isinstance(value, list):
                stack.append(iter(value))
                break
            result.append(value)
        else:
            stack.pop()
    return result


@functions("flatten", "list")
def flatten(items: Any) -> list[Any]:
    """flatten(list): nested lists' items in place of the lists."""
    return _flatten(a_list(items))


@functions("product", "list", VARIADIC)
def product(*args: Any) -> Decimal:
    """product(list) or product(n1, …, nN): null for an empty list."""
    result = Decimal(1)
    for value in _numbers(args):
        result = NUMBER_CONTEXT.multiply(result, value)
    return result


FUNCTIONS = functions.functions
