"""FEEL's built-in functions (DMN 1.5 §10.3.4), one module per family; ``BUILTINS`` maps each name to its
FeelFunction, whose ``params`` are the spec's parameter names (named invocation).

Every built-in follows the spec's error semantics: wrong argument types or counts give null, never an exception
(``feel.builtins._registry``); only ``FeelBudgetExceeded`` ends an evaluation.
"""

from __future__ import annotations

from feel.builtins import boolean, context, conversion, date_time, lists, misc, numeric, ranges, sort, strings
from feel.values import FeelFunction

BUILTINS: dict[str, FeelFunction] = {}
for _family in (conversion, boolean, strings, lists, numeric, date_time, ranges, context, sort, misc):
    BUILTINS.update(_family.FUNCTIONS)

__all__ = ["BUILTINS"]
