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


@pytest.mark.parametrize(("text", "expected"), [
    # a function conforms to function<T…> -> R when each Ti conforms to its own parameter's type (§10.3.2.9.1)
    ('(function(a: string, b: number) "x") instance of function<string, number> -> string', True),
    ('(function(a: string, b: string) "x") instance of function<string, number> -> string', False),
    ('(function(a: string) "x") instance of function<string, number> -> string', False),  # arity
    ('(function(a, b) "x") instance of function<string, number> -> string', True),  # untyped takes anything
    ('(function(a: context<a: string>) 1) instance of function<context<a: string, b: number>> -> number', True),
    ('(function(a: context<a: string, b: number>) 1) instance of function<context<a: string>> -> number', False),
    ("(function(a: list<number>) 1) instance of function<list<number>> -> Any", True),
    ("(function(a: list<string>) 1) instance of function<list<number>> -> Any", False),
    ("(function(a: Any) 1) instance of function<number> -> Any", True),
    ("(function(a: number) 1) instance of function<Any> -> Any", False),
    # a body written as a literal gives the result type, compared covariantly; other bodies are not compared
    ('(function() "x") instance of function<> -> string', True),
    ("(function() 123) instance of function<> -> string", False),
    ('(function() {b: "b", c: "c", d: 1}) instance of function<> -> context<b: string, c: string>', True),
    ('(function() {b: "b"}) instance of function<> -> context<b: string, c: string>', False),
    ('(function(a) a) instance of function<Any> -> string', True),
])
def test_a_function_conforms_by_its_parameter_types(text: str, expected: bool) -> None:
    assert feel.evaluate(text, {}) is expected
