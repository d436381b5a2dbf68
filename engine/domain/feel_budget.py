"""CPU-time and output-size budgets for FEEL decision tables (pure: the standard library only).

Superseded by feel/dmn; kept for the before/after bench (``gridcase bench feel``) and its own tests.

gridcase's FEEL subset has no arithmetic, so a value is a literal of the DMN or a reference into the context,
but a table can still compare every rule with a huge context list (rules x items), and an output entry
``[big, big, …]`` shares one context list many times over (the case's data would store it expanded). Inside
``feel_budget(cpu_seconds, max_output_size)`` the evaluation counts its work (``tick``) and checks the thread's
CPU time every few hundred steps; ``check_output_size`` measures a rule's outputs. Both raise
``FeelBudgetExceeded``, which the decision table reports naming the decision and rule.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


class FeelBudgetExceeded(ValueError):
    """An evaluation used more than its CPU time (or would output more than its size limit)."""


_CHECK_EVERY = 256  # steps between two looks at the CPU clock


class _Budget:
    """The running evaluation's allowance: a step count, and the thread CPU time it must end by."""

    __slots__ = ("ends", "max_output_size", "seconds", "steps")

    def __init__(self, cpu_seconds: float, max_output_size: int) -> None:
        self.seconds, self.max_output_size = cpu_seconds, max_output_size
        self.ends = time.thread_time() + cpu_seconds
        self.steps = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("feel_budget", default=None)


@contextmanager
def feel_budget(cpu_seconds: float, max_output_size: int) -> Iterator[None]:
    """Evaluations inside run within ``cpu_seconds`` of this thread's CPU time (an outer budget, if any, holds)."""
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget(cpu_seconds, max_output_size))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def tick(steps: int = 1) -> None:
    """Count ``steps`` of work; FeelBudgetExceeded once the budget's CPU time is spent (no budget: nothing)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps += steps
    if budget.steps >= _CHECK_EVERY:
        budget.steps = 0
        if time.thread_time() > budget.ends:
            raise FeelBudgetExceeded(f"the evaluation used more than its budget of {budget.seconds:g} s of CPU time")


def check_output_size(value: Any) -> None:
    """FeelBudgetExceeded when ``value``, expanded as the case's data would store it, exceeds the budget's size."""
    budget = _BUDGET.get()
    if budget is not None and output_size(value, budget.max_output_size) > budget.max_output_size:
        raise FeelBudgetExceeded(f"the output would be larger than {budget.max_output_size:,} characters")


def output_size(value: Any, cap: int) -> int:
    """Elements and characters of ``value`` as a tree (a list shared twice counts twice); stops above ``cap``."""
    total, stack = 0, [value]
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return total
