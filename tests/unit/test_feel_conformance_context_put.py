"""``context put`` has two signatures (DMN 1.5 §10.3.4.8): ``context put(context, key, value)`` with a string key
and ``context put(context, keys, value)`` with a list of keys, a path into nested contexts. Positionally a list
is the keys; named, the parameter name says which signature is meant, so a list given as ``key:`` is no key."""

from __future__ import annotations

from decimal import Decimal

import feel


def test_named_keys_is_a_path_into_nested_contexts() -> None:
    value = feel.evaluate('context put(context: {x: 1, y: {a: 0}}, keys: ["y", "a"], value: 2)', {})
    assert value == {"x": Decimal(1), "y": {"a": Decimal(2)}}


def test_a_positional_list_is_the_keys() -> None:
    value = feel.evaluate('context put({x: 1, y: {a: 0}}, ["y", "a"], 2)', {})
    assert value == {"x": Decimal(1), "y": {"a": Decimal(2)}}


def test_a_list_given_as_the_named_key_is_null() -> None:
    assert feel.evaluate('context put(context: {x: 1, y: {a: 0}}, key: ["y", "a"], value: 2)', {}) is None


def test_a_named_string_key_sets_the_entry() -> None:
    value = feel.evaluate('context put(context: {区: "东城"}, key: "街道", value: "和平里")', {})
    assert value == {"区": "东城", "街道": "和平里"}
