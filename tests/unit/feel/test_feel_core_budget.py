"""Hostile FEEL ends with FeelBudgetExceeded, never a hang or a RecursionError (feel.budget)."""

from __future__ import annotations

import time

import pytest

import feel
from feel import budget
from feel.errors import FeelBudgetExceeded


def test_a_billion_iterations_end_within_the_cpu_budget() -> None:
    compiled = feel.compile_expression("for x in 1..1000000000 return x")
    started = time.thread_time()
    with pytest.raises(FeelBudgetExceeded, match="CPU time"), budget.limit(cpu_seconds=0.2):
        compiled.evaluate({})
    assert time.thread_time() - started < 2


def test_the_step_budget() -> None:
    with budget.limit(max_steps=100):
        assert len(feel.evaluate("for x in 1..50 return x", {})) == 50
    with pytest.raises(FeelBudgetExceeded, match="100 steps"), budget.limit(max_steps=100):
        feel.evaluate("for x in 1..500 return x", {})


def test_endless_recursion_in_a_user_function_ends_cleanly() -> None:
    with pytest.raises(FeelBudgetExceeded):
        feel.evaluate("{f: function(n) f(n + 1), r: f(0)}.r", {})


def test_recursion_within_the_depth_limit_works() -> None:
    assert feel.evaluate("{f: function(n) if n = 0 then 0 else 1 + f(n - 1), r: f(30)}.r", {}) == 30


def test_a_string_doubled_without_end_is_stopped_before_it_fills_the_memory() -> None:
    with pytest.raises(FeelBudgetExceeded, match="longer than"):
        feel.evaluate('{f: function(s, n) if n = 0 then s else f(s + s, n - 1), r: f("ab", 100)}.r', {})


def test_nested_quantifiers_over_large_lists_end() -> None:
    with pytest.raises(FeelBudgetExceeded), budget.limit(cpu_seconds=0.2):
        feel.evaluate("some x in 1..100000, y in 1..100000 satisfies x * y < 0", {})


def test_an_inner_limit_does_not_widen_an_outer_one() -> None:
    with pytest.raises(FeelBudgetExceeded), budget.limit(max_steps=10), budget.limit(max_steps=10_000):
        feel.evaluate("for x in 1..100 return x", {})


def test_each_iteration_is_counted() -> None:
    with budget.limit(max_steps=1000):
        feel.evaluate("for x in 1..10 return x", {})
        assert budget.steps_used() >= 10
    assert budget.steps_used() == 0  # outside a limit nothing is counted
