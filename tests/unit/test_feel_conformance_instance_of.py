"""``instance of`` with a null inside (DMN 1.5 §10.3.2.9.1: Null is a subtype of every type, so a null entry
or item conforms to the declared entry or item type; a null standing alone is an instance of no type)."""

from __future__ import annotations

import pytest

import feel


@pytest.mark.parametrize(("text", "expected"), [
    ("{a: null} instance of context<a: string>", True),
    ("{a: null, b: 1} instance of context<a: string, b: number>", True),
    ("{b: null} instance of context<a: string>", False),  # the entry must be there
    ("[1, null, 3] instance of list<number>", True),
    ('[null, "x"] instance of list<number>', False),
    ("[null] instance of list<date>", True),
    ("{a: {b: null}} instance of context<a: context<b: number>>", True),
    ("null instance of string", False),
    ("null instance of Any", False),
    ("null instance of list<number>", False),
])
def test_a_null_inside_a_list_or_context_conforms(text: str, expected: bool) -> None:
    assert feel.evaluate(text, {}) is expected
