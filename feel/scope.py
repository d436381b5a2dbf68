"""Name scopes during evaluation: a chain of mappings, innermost first, ending at the built-in functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING: Any = object()


class Scope:
    """One level of names: a context's entries, a function's arguments, an iteration's variable."""

    __slots__ = ("parent", "values")

    def __init__(self, values: Mapping[str, Any], parent: Scope | None = None) -> None:
        self.values = values
        self.parent = parent

    def lookup(self, name: str) -> Any:
        """The value of ``name`` in this scope or an outer one; MISSING when no scope has it."""
        scope: Scope | None = self
        while scope is not None:
            value = scope.values.get(name, MISSING)
            if value is not MISSING:
                return value
            scope = scope.parent
        return MISSING
