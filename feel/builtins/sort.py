"""Built-ins that call FEEL functions: ``sort(list, precedes)`` and ``list replace(list, position|match, newItem)``."""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

from feel import budget
from feel.builtins._registry import Registry, a_list, integer, two_place_function
from feel.values import FeelFunction, compare

functions = Registry()


def _natural(a: Any, b: Any) -> int:
    order = compare(a, b)
    if order is None:
        raise TypeError("items that cannot be compared")
    return order


@functions("sort", "list", "precedes")
def sort(items: Any, precedes: Any = None) -> list[Any]:
    """sort(list, precedes?): ordered by the function ``precedes(a, b)`` (true when a comes first), or naturally."""
    values = a_list(items)
    budget.tick(len(values))
    if precedes is None:
        return sorted(values, key=cmp_to_key(_natural))
    precedes = two_place_function(precedes)

    def order(a: Any, b: Any) -> int:
        budget.tick()
        first = precedes.call([a, b])
        if not isinstance(first, bool):
            raise TypeError("precedes must answer true or false")
        return -1 if first else 1

    return sorted(values, key=cmp_to_key(order))


@functions("list replace", "list", "position", "newItem", "match")
def list_replace(items: Any, position: Any, new_item: Any, match: Any = None) -> list[Any]:
    """list replace(list, position, newItem), or with a function ``match(item, newItem)`` in place of a position."""
    values = list(a_list(items))
    if match is not None:
        if position is not None:
            raise TypeError("a position or a match, not both")
        position = match
    if isinstance(position, FeelFunction):
        position = two_place_function(position)
        for index, item in enumerate(values):
            budget.tick()
            found = position.call([item, new_item])
            if found is True:
                values[index] = new_item
            elif found is not False:
                raise TypeError("match must answer true or false")
        return values
    place = integer(position)
    if place == 0 or abs(place) > len(values):
        raise IndexError("position outside the list")
    values[place - 1 if place > 0 else len(values) + place] = new_item
    return values


FUNCTIONS = functions.functions
