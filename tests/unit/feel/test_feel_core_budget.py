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


BIG_STRINGS = ('{s: string join(for j in 1..20000 return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),'
               ' r: for i in 1..400 return s + string(i)}.r')  # 400 copies of a megabyte: 400 MB unmetered


def test_strings_made_in_a_loop_end_at_the_memory_budget_long_before_the_memory_is_used() -> None:
    compiled = feel.compile_expression(BIG_STRINGS)
    with pytest.raises(FeelBudgetExceeded, match="32 MB"), budget.limit(cpu_seconds=30, max_bytes=32 * 2**20):
        compiled.evaluate({})


def test_lists_made_by_built_ins_count_too() -> None:
    doubling = feel.compile_expression("{f: function(l, n) if n = 0 then l else f(concatenate(l, l), n - 1),"
                                       " r: count(f([1, 2, 3, 4], 22))}.r")  # 16 million slots
    with pytest.raises(FeelBudgetExceeded, match="MB"), budget.limit(cpu_seconds=30, max_bytes=16 * 2**20):
        doubling.evaluate({})


def test_an_evaluation_within_the_memory_budget_is_unchanged() -> None:
    with budget.limit(cpu_seconds=30, max_bytes=64 * 2**20):
        assert feel.evaluate('string length(string join(for j in 1..1000 return "ab"))') == 2000
        assert budget.size_of("abc") == 3 and budget.size_of([1, 2]) == 16 and budget.size_of(None) == 0


def test_without_a_budget_nothing_is_metered() -> None:
    budget.allocate(10**12)  # no limit active: nothing to exceed
    assert feel.evaluate('string length("a" + "b")') == 2
