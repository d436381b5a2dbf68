"""Helpers of the script-budget tests (test_inline_plans, test_inline_attacks)."""

from __future__ import annotations

from engine.bpmn.budget.meter import ACTIVE


def route() -> str:
    """Where the code calling it runs: an inline evaluation has a meter in this thread."""
    return "inline" if getattr(ACTIVE, "meter", None) is not None else "worker"
