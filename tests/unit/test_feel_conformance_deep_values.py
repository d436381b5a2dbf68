"""Lists and contexts nested deeper than Python's stack convert and compare (DMN 1.5 §10.3.2.2 equality: lists
equal item by item, contexts name by name; different kinds are neither equal nor unequal)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import feel
from feel import deep, values

DEPTH = 50_000  # far beyond sys.getrecursionlimit()


def nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if depth % 2 else {"a": value}
    return value


@pytest.mark.parametrize("depth", [DEPTH, DEPTH + 1])  # lists, then contexts
def test_deep_values_convert_both_ways_and_compare(depth: int) -> None:
    value = values.from_python(nested(depth, 1))
    assert values.equal(value, values.from_python(nested(depth, 1))) is True
    assert values.equal(value, values.from_python(nested(depth, 2))) is False
    assert values.equal(value, values.from_python(nested(depth, "1"))) is None
    assert values.equal(values.from_python(values.to_python(value)), value) is True
    assert values.equal(values.from_python(values.to_json(value)), value) is True


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1, 2, 3], [1, 2, 3], True),
        ([1, 1, 1], [1, 1, 1, 1], False),
        ([1, 2, 3], [3, 2, 1], False),
        ([], [], True),
        ({"a": {"c": "bar", "b": "foo"}}, {"a": {"b": "foo", "c": "bar"}}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, [2, "x"]], [1, [2, 3]], None),  # a pair of different kinds: null …
        ([1, [2, "x"]], [1, [3, 3]], False),  # … unless another pair already differs
        ([1], 1, None),
        ([1], {"a": 1}, None),
        ([], None, False),
        ([None], [None], True),
    ],
)
def test_equality_of_lists_and_contexts(a: Any, b: Any, expected: bool | None) -> None:
    assert values.equal(values.from_python(a), values.from_python(b)) is expected


def test_order_and_kinds_survive_conversion() -> None:
    converted = values.from_python({"b": 1, "a": [1.5, (2,)]})
    assert list(converted) == ["b", "a"]
    assert converted == {"b": Decimal(1), "a": [Decimal("1.5"), [Decimal(2)]]}


def test_a_value_that_contains_itself_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deep, "MAX_NODES", 1000)
    cycle: list[Any] = [1]
    cycle.append(cycle)
    with pytest.raises(feel.FeelError, match="contains itself"):
        values.from_python(cycle)
