"""FEEL list built-ins (DMN 1.5 §10.3.4.4) and sort / list replace: the spec's examples, both calling forms
(one list, or the items), FEEL equality, positions from either end, and null for every misuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from feel_builtin_calls import call, call_named

from feel.builtins import BUILTINS
from feel.values import FeelFunction


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("list contains", ([1, 2, 3], 2), True),
        ("list contains", ([1, None], None), True),
        ("list contains", ([[1], [2]], [2]), True),
        ("list contains", ("abc", "abc"), True),  # a single value is a singleton list
        ("list contains", (None, 1), None),
        ("count", ([1, 2, 3],), 3),
        ("count", ([],), 0),
        ("min", ([1, 2, 3],), 1),
        ("min", (1,), 1),
        ("min", (3, 1, 2), 1),
        ("min", ([],), None),
        ("min", ([1, "a"],), None),
        ("max", ([1, 2, 3],), 3),
        ("max", ("a", "c", "b"), "c"),
        ("sum", ([1, 2, 3],), 6),
        ("sum", (1, 2, 3), 6),
        ("sum", ([1, "a"],), None),
        ("sum", ([],), None),
        ("product", ([],), None),
        ("mean", ([1, 2, 3],), 2),
        ("mean", (1, 2, 3), 2),
        ("mean", ([],), None),
        ("median", (8, 2, 5, 3, 4), 4),
        ("median", ([6, 1, 2, 3],), Decimal("2.5")),
        ("median", ([],), None),
        ("mode", (6, 3, 9, 6, 6), [6]),
        ("mode", ([6, 1, 9, 6, 1],), [1, 6]),
        ("mode", ([],), []),
        ("product", ([2, 3, 4],), 24),
        ("product", (2, 3, 4), 24),
        ("all", ([False, None, True],), False),
        ("all", (True,), True),
        ("all", ([],), True),
        ("all", ([True, None],), None),
        ("all", (0,), None),
        ("any", ([False, None, True],), True),
        ("any", ([],), False),
        ("any", ([False, None],), None),
        ("sublist", ([4, 5, 6], 1, 2), [4, 5]),
        ("sublist", ([4, 5, 6], -2), [5, 6]),
        ("sublist", ([4, 5, 6], 4), None),
        ("sublist", ([4, 5, 6], 2, 5), None),
        ("append", ([1], 2, 3), [1, 2, 3]),
        ("append", ([1],), [1]),
        ("append", (1, 2), [1, 2]),
        ("append", (None, 2), None),
        ("concatenate", ([1, 2], [3]), [1, 2, 3]),
        ("concatenate", ([1], 2), [1, 2]),
        ("concatenate", ([1], None), None),
        ("insert before", ([1, 3], 1, 2), [2, 1, 3]),
        ("insert before", ([1, 3], -1, 2), [1, 2, 3]),
        ("insert before", ([1, 3], 3, 2), None),
        ("remove", ([1, 2, 3], 2), [1, 3]),
        ("remove", ([1, 2, 3], -1), [1, 2]),
        ("remove", ([1, 2, 3], 0), None),
        ("reverse", ([1, 2, 3],), [3, 2, 1]),
        ("index of", ([1, 2, 3, 2], 2), [2, 4]),
        ("index of", ([1, 2], 9), []),
        ("union", ([1, 2], [2, 3]), [1, 2, 3]),
        ("distinct values", ([1, 2, 3, 2, 1],), [1, 2, 3]),
        ("distinct values", ([1, Decimal("1.0"), [1], [1]],), [1, [1]]),
        ("flatten", ([[1, 2], [[3]], 4],), [1, 2, 3, 4]),
        ("flatten", (1,), [1]),
        ("flatten", (None,), None),
    ],
)
def test_list_functions(name: str, args: tuple[object, ...], expected: object) -> None:
    assert call(name, *args) == expected


def test_stddev_is_the_sample_deviation() -> None:
    assert str(call("stddev", 2, 4, 7, 5))[:12] == "2.0816659994"
    assert call("stddev", [47]) is None
    assert call("stddev", [1, "a"]) is None


def test_list_functions_by_name() -> None:
    assert call_named("list contains", list=[1, 2], element=2) is True
    assert call_named("min", list=[3, 1]) == 1
    assert call_named("sublist", list=[4, 5, 6], start_position=2) == [5, 6]


def _function(body: object) -> FeelFunction:
    return FeelFunction(("a", "b"), body, "test function")  # type: ignore[arg-type]


def test_sort_naturally_or_by_a_function() -> None:
    assert call("sort", [3, 1, 4, 2]) == [1, 2, 3, 4]
    descending = _function(lambda args: args[0] > args[1])
    assert call("sort", [3, 1, 4, 2], descending) == [4, 3, 2, 1]
    assert call_named("sort", list=[3, 1, 2], precedes=descending) == [3, 2, 1]


def test_sort_refuses_what_cannot_be_ordered() -> None:
    assert call("sort", [1, "a"]) is None
    assert call("sort", [2, 1], _function(lambda args: None)) is None
    assert call("sort", [2, 1], "not a function") is None


def test_list_replace_by_position_or_match() -> None:
    assert call("list replace", [2, 4, 7, 8], 3, 6) == [2, 4, 6, 8]
    assert call("list replace", [2, 4, 7, 8], -1, 6) == [2, 4, 7, 6]
    smaller = _function(lambda args: args[0] < args[1])
    assert call("list replace", [2, 4, 7, 8], smaller, 5) == [5, 5, 7, 8]
    assert call_named("list replace", list=[2, 4], match=smaller, newItem=3) == [3, 4]
    assert call("list replace", [2, 4], 3, 6) is None
    assert call("list replace", 1, 1, 5) == [5]  # a single value is a singleton list
    assert call("list replace", [1, 2, 3], None, 4) is None
    assert call("list replace", [1, 2, 3], Decimal("2.5"), 4) is None


def test_functions_given_to_sort_and_list_replace_take_two_parameters() -> None:
    three = FeelFunction(("a", "b", "c"), lambda args: True, "three")
    one = FeelFunction(("a",), lambda args: True, "one")
    assert call("list replace", [2, 4], three, 5) is None
    assert call("list replace", [2, 4], one, 5) is None
    assert call("sort", [2, 1], three) is None


def test_flatten_and_context_put_survive_deep_nesting() -> None:
    deep: list[object] = [Decimal(1)]
    for _ in range(50_000):
        deep = [deep]
    assert BUILTINS["flatten"].call([deep]) == [Decimal(1)]  # FEEL values already: no from_python walk
    assert BUILTINS["context put"].call([{}, ["k"] * 50_000, Decimal(1)]) is not None
