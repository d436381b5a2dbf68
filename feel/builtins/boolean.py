"""Boolean built-ins (DMN 1.5 §10.3.4.2): ``not``.

(``is defined`` is not a DMN 1.5 function: a missing name is already null there.)
"""

from __future__ import annotations

from typing import Any

from feel.builtins._registry import Registry

functions = Registry()


@functions("not", "negand")
def negation(value: Any) -> bool | None:
    """not(negand): true for false, false for true, null for anything else."""
    return (not value) if isinstance(value, bool) else None


FUNCTIONS = functions.functions
