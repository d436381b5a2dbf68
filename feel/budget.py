"""Budgets for FEEL evaluations: CPU seconds, step count and user-function call depth (standard library only).

A hostile or careless expression (``for x in 1..1000000000 return x``, a user function calling itself without
end) must end with ``FeelBudgetExceeded``, never hang a web worker or crash it with RecursionError. Inside
``with limit(cpu_seconds=…, max_bytes=…):`` the evaluator counts its work with ``tick`` and looks at the thread's
CPU clock every few hundred steps. FEEL runs in the caller's process, so memory is metered rather than limited by
the kernel: each step counts ``STEP_BYTES`` and every string or list a built-in, ``+`` or a function call makes
counts its size (``allocate``); past ``max_bytes`` the evaluation ends. Without that, ten-megabyte strings joined
in a loop reached 2.7 GB within one second of CPU. The call depth is always bounded, with or without a ``limit``
around the evaluation, because Python's own recursion limit would otherwise end the evaluation with an unrelated
error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from feel.errors import FeelBudgetExceeded

MAX_CALL_DEPTH = 120  # nested user-function calls; each level costs ~10 Python frames in the evaluator
_CHECK_EVERY = 256  # steps between two looks at the CPU clock
STEP_BYTES = 64  # what a step may leave behind (a number, a list slot, a context entry), for the memory meter
_LARGE = 1 << 16  # an allocation this size or more looks at the CPU clock at once (copies of big strings are slow)


class _Budget:
    """The running evaluation's allowance: steps left, the CPU time it must end by, the call depth."""

    __slots__ = ("allocated", "ends", "max_bytes", "max_steps", "seconds", "since_check", "steps")

    def __init__(self, cpu_seconds: float | None, max_steps: int | None, max_bytes: int | None = None) -> None:
        self.seconds = cpu_seconds
        self.ends = None if cpu_seconds is None else time.thread_time() + cpu_seconds
        self.max_steps = max_steps
        self.max_bytes = max_bytes
        self.steps = 0
        self.since_check = 0
        self.allocated = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("feel_core_budget", default=None)
_DEPTH: ContextVar[int] = ContextVar("feel_core_call_depth", default=0)


@contextmanager
def limit(*, cpu_seconds: float | None = None, max_steps: int | None = None,
          max_bytes: int | None = None) -> Iterator[None]:
    """Evaluations inside run within ``cpu_seconds`` of this thread's CPU time, ``max_steps`` steps and about
    ``max_bytes`` of memory made (steps and the strings and lists made, as metered; see the module).

    An outer budget, if one is active, keeps holding (a nested ``limit`` never widens it).
    """
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget(cpu_seconds, max_steps, max_bytes))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def tick(steps: int = 1) -> None:
    """Count ``steps`` of work; FeelBudgetExceeded once the budget is spent (no budget active: nothing)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps += steps
    if budget.max_steps is not None and budget.steps > budget.max_steps:
        raise FeelBudgetExceeded(f"the evaluation took more than its budget of {budget.max_steps:,} steps")
    budget.since_check += steps
    if budget.since_check >= _CHECK_EVERY:
        budget.since_check = 0
        _check_memory(budget)
        _check_clock(budget)


def allocate(size: int) -> None:
    """Count ``size`` bytes an evaluation made (a string's length, 8 per list item); FeelBudgetExceeded past the
    budget's ``max_bytes``. A large one also looks at the CPU clock at once (no budget active: nothing)."""
    budget = _BUDGET.get()
    if budget is None or size <= 0:
        return
    budget.allocated += size
    _check_memory(budget)
    if size >= _LARGE:
        _check_clock(budget)


def size_of(value: object) -> int:
    """What ``allocate`` counts for a value a call or operator made: text by its length, lists and contexts by
    their entries (their items were counted when they were made)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | dict):
        return 8 * len(value)
    return 0


def _check_memory(budget: _Budget) -> None:
    if budget.max_bytes is not None and budget.allocated + budget.steps * STEP_BYTES > budget.max_bytes:
        raise FeelBudgetExceeded(f"the evaluation made more than its budget of {budget.max_bytes / 2**20:g} MB "
                                 "(strings, lists and steps, as metered)")


def _check_clock(budget: _Budget) -> None:
    if budget.ends is not None and time.thread_time() > budget.ends:
        raise FeelBudgetExceeded(f"the evaluation used more than its budget of {budget.seconds:g} s of CPU time")


def steps_used() -> int:
    """Steps counted so far by the active budget (0 without one); for tests and benchmarks."""
    budget = _BUDGET.get()
    return 0 if budget is None else budget.steps


@contextmanager
def call_level() -> Iterator[None]:
    """One more level of user-function call; FeelBudgetExceeded beyond MAX_CALL_DEPTH."""
    depth = _DEPTH.get() + 1
    if depth > MAX_CALL_DEPTH:
        raise FeelBudgetExceeded(f"user functions called each other more than {MAX_CALL_DEPTH} levels deep")
    token = _DEPTH.set(depth)
    try:
        yield
    finally:
        _DEPTH.reset(token)
