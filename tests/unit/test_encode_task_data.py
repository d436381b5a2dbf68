"""Task data encoding: the shortcuts (marshal-keyed memo, direct JSON for native data, per-value registry fallback)
give byte for byte what SpiffWorkflow's serializer registry path gave, and fail where it failed."""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections import OrderedDict, namedtuple
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from engine.bpmn import task_json
from engine.bpmn.specs import SERIALIZER

REGISTRY = SERIALIZER.registry
Pair = namedtuple("Pair", "left right")


class Level(enum.IntEnum):
    HIGH = 1


class Code(str):
    pass


def reference(data: Any) -> str:
    """The encoding as it was: the registry's convert(clean(data)), then compact key-sorted JSON."""
    converted = REGISTRY.convert(REGISTRY.clean(data))
    return json.dumps(converted, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def outcome(encode: Any, data: Any) -> tuple[str, Any]:
    try:
        return "ok", encode(data)
    except Exception as error:  # the kind of failure is what is compared
        return "error", type(error)


WHEN = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
SAME_BYTES = {
    "nested plain": {"b": {"z": [1, 2.5, True, None, "文"], "a": {}}, "a": [], "c": ""},
    "datetime top and nested": {"at": WHEN, "n": {"when": WHEN, "k": 1}, "x": [WHEN, 2]},
    "timedelta and uuid": {"d": timedelta(hours=3), "ids": [UUID(int=7)], "plain": {"k": "v"}},
    "tuple nested": {"t": (1, (2, "x"), [3]), "u": ()},
    "nan, infinities and signed zero": {"f": math.nan, "g": math.inf, "h": -math.inf, "z": -0.0, "o": 0.0},
    "int keys": {"m": {1: "x", 2: "y"}, "n": {2.5: 1, 3.5: 2}},
    "bool and none keys": {"m": {True: 1, False: 0}, "n": {None: 1}},
    "int keys at top": {1: "a", 2: {"b": WHEN}},
    "callables and modules dropped": {"f": len, "m": json, "x": 1, "n": {"g": reference, "k": 2}},
    "subclasses of native types": {"e": Level.HIGH, "c": Code("x"), "o": OrderedDict(b=1, a=2)},
    "ordered dict as the data": OrderedDict(b=[1], a={"c": WHEN}),
    "list as the data": [{"a": 1}, (2, 3)],
    "empty": {},
    "deep": {"a": [[[[{"b": [[[1]]]}]]]]},
}
SAME_ERROR = {
    "set": {"s": {1, 2}},
    "bytes": {"b": b"x"},
    "bytearray nested": {"n": {"b": bytearray(b"x")}},
    "decimal": {"d": Decimal("1.5")},
    "namedtuple": {"p": Pair(1, 2)},
    "mixed key types": {1: "a", "b": 2},
    "tuple key": {"m": {(1, 2): "x"}},
}


@pytest.mark.parametrize("data", SAME_BYTES.values(), ids=SAME_BYTES.keys())
def test_same_bytes_and_hash_as_the_registry_path(data: Any) -> None:
    task_json._MEMO.clear()
    for _ in range(2):  # the second time from the memo
        encoded = task_json.encode_data(data)
        assert encoded.text == reference(data) == task_json.registry_json(data)
        assert encoded.sha256 == hashlib.sha256(encoded.text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("data", SAME_ERROR.values(), ids=SAME_ERROR.keys())
def test_fails_where_the_registry_path_failed(data: Any) -> None:
    task_json._MEMO.clear()
    expected = outcome(reference, data)
    assert expected[0] == "error"
    assert outcome(task_json.data_json, data) == expected
    assert outcome(task_json.data_json, data) == expected  # nothing half-remembered


def test_equal_values_of_different_types_are_not_confused() -> None:
    task_json._MEMO.clear()
    variants = [{"a": 1}, {"a": 1.0}, {"a": True}, {"a": 0.0}, {"a": -0.0}, {"a": 0}, {"a": False},
                {"a": [1]}, {"a": (1,)}, {"a": "1"}, {"a": {"1": 1}}, {"a": {1: 1}}]
    texts = [task_json.data_json(v) for v in variants + variants]
    assert texts == [reference(v) for v in variants + variants]
    assert texts[:4] == ['{"a":1}', '{"a":1.0}', '{"a":true}', '{"a":0.0}'] and texts[4] == '{"a":-0.0}'


def test_data_changed_in_place_is_encoded_again() -> None:
    task_json._MEMO.clear()
    data: dict[str, Any] = {"a": [1], "b": {"c": "x"}}
    first = task_json.data_json(data)
    data["a"].append(2)
    data["b"]["c"] = "y"
    assert task_json.data_json(data) == reference(data) == '{"a":[1,2],"b":{"c":"y"}}' != first
    data["a"] = WHEN
    assert task_json.data_json(data) == reference(data)


def test_marshal_alike_values_are_not_served_from_the_memo() -> None:
    # bytes and bytearray marshal alike; only plain JSON content is remembered, so neither is served to the other.
    task_json._MEMO.clear()
    for data in ({"b": b"x"}, {"b": bytearray(b"x")}, {"b": b"x"}):
        assert outcome(task_json.data_json, data) == outcome(reference, data)


def test_registering_a_native_type_turns_the_shortcuts_off(monkeypatch: pytest.MonkeyPatch) -> None:
    task_json._MEMO.clear()
    data = {"t": (1, 2), "n": {"u": ("x",)}}
    plain = task_json.data_json(data)
    monkeypatch.setitem(REGISTRY.typenames, tuple, "tuple")
    monkeypatch.setitem(REGISTRY.convert_to_dict, "tuple",
                        lambda value: {"items": [REGISTRY.convert(item) for item in value], "typename": "tuple"})
    assert task_json.data_json(data) == reference(data) != plain
    assert '"typename":"tuple"' in task_json.data_json(data)


def test_the_memo_stays_within_its_size() -> None:
    memo = task_json._Memo(max_chars=1600)
    for number in range(100):
        memo.put(str(number).encode() * 10, task_json.Encoded("x" * 40, "h"))
    kept = [number for number in range(100) if memo.get(str(number).encode() * 10) is not None]
    assert 0 < len(kept) < 100 and kept == list(range(100 - len(kept), 100))  # the newest stay
    memo.put(b"k" * 200, task_json.Encoded("y", "h"))  # over a sixteenth of the memo: not kept
    assert memo.get(b"k" * 200) is None
