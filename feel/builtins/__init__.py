"""FEEL's built-in functions (DMN 1.5 §10.3.4), one module per family; ``BUILTINS`` maps each name to its
FeelFunction, whose ``params`` are the spec's parameter names (named invocation)."""

from __future__ import annotations

from feel.builtins import conversion
from feel.values import FeelFunction

BUILTINS: dict[str, FeelFunction] = {}
for _family in (conversion,):
    BUILTINS.update(_family.FUNCTIONS)

__all__ = ["BUILTINS"]
