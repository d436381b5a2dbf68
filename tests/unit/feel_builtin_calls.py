"""Helpers for the built-in function tests: call a FEEL built-in with Python values, read the result back."""

from __future__ import annotations

from typing import Any

from feel import temporal
from feel.builtins import BUILTINS
from feel.values import from_python, to_string


def call(name: str, *args: Any) -> Any:
    """``name(args…)`` with the arguments as FEEL values (ints and floats become numbers)."""
    return BUILTINS[name].call([from_python(arg) for arg in args])


def call_named(name: str, **named: Any) -> Any:
    """``name(param: value, …)`` as the evaluator would pass it: in parameter order, trailing ones left off."""
    function = BUILTINS[name]
    params = [param for param in function.params if param != "..."]
    given = {param.replace("_", " "): from_python(value) for param, value in named.items()}
    last = max(params.index(param) for param in given)
    return function.call([given.get(param) for param in params[: last + 1]])


def text(value: Any) -> str | None:
    """FEEL's string of a result (None stays None), to compare with the spec's examples."""
    return None if value is None else to_string(value)


def t(literal: str) -> Any:
    """A temporal value from its ``@"…"`` literal text."""
    return temporal.parse_literal(literal)
