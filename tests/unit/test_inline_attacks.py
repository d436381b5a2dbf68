"""A hostile reviewer's attacks on the inline path, scaled down: each must plan for the worker, move there while
running, or fail with BudgetExceeded, instead of running unbounded in this process."""

from __future__ import annotations

from typing import Any

import pytest
from inline_support import route

from engine.bpmn.budget import BoundedEvaluator, BudgetExceeded, Pool, ScriptLimits
from engine.bpmn.budget.sizes import estimate
from engine.bpmn.helpers import default_helpers
from engine.bpmn.sandbox import SandboxedEnvironment
from engine.domain.clock import FakeClock

COLLIDING = 2**61 - 1  # CPython hashes integers modulo this: i * COLLIDING all hash to 0




def _evaluator(pool: Pool, **limits: Any) -> BoundedEvaluator:
    helpers: dict[str, Any] = default_helpers(FakeClock())
    helpers["route"] = route
    env = SandboxedEnvironment(helpers)
    return BoundedEvaluator(env.builtins, env.helpers, ScriptLimits(**limits), pool=pool)


@pytest.mark.parametrize("source", [
    pytest.param("ok = isinstance(1, int, sum(range(10**12)))", id="isinstance-third-argument"),
    pytest.param("ok = isinstance(1, int, [x for x in range(10)])", id="isinstance-comprehension"),
    pytest.param("ok = isinstance(1)", id="isinstance-one-argument"),
    pytest.param("n = len(tags, tags)", id="len-two-arguments"),
    pytest.param("n = sorted(tags, cmp=None)", id="unexpected-keyword"),
    pytest.param("n = len(set(tags))", id="len-of-set"),
    pytest.param("n = len(frozenset(tags))", id="len-of-frozenset"),
    pytest.param("n = len(list(zip(tags, tags, tags, tags)))", id="zip-of-four"),
    pytest.param("n = list(map(max, tags, tags, tags, tags))", id="map-of-four"),
])
def test_calls_outside_their_expected_shape_plan_for_the_worker(pool: Pool, source: str) -> None:
    assert not _evaluator(pool).plan(source, "exec").inline, source


def test_an_isinstance_third_argument_runs_under_the_worker_s_cpu_limit(pool: Pool) -> None:
    bounded = _evaluator(pool, cpu_seconds=0.3)
    with pytest.raises(BudgetExceeded) as caught:
        bounded.evaluate("isinstance(1, int, sum(range(10**12)))", {})
    assert caught.value.kind in ("cpu", "wall")


def test_a_dict_built_from_colliding_integers_moves_to_the_worker(pool: Pool) -> None:
    """``dict(zip(xs, xs))`` hashes every key in one C call: an unsized argument never runs inline."""
    bounded = _evaluator(pool)
    source = "d = dict(zip(xs, xs))\nn = len(d)\nhow = route()"
    after = bounded.run_script(source, {"xs": [i * COLLIDING for i in range(1, 300)]})
    assert (after["n"], after["how"]) == (299, "worker")


def test_dict_of_more_than_a_thousand_pairs_moves_to_the_worker(pool: Pool) -> None:
    bounded = _evaluator(pool)
    source = "d = dict(pairs)\nn = len(d)\nhow = route()"
    small = bounded.run_script(source, {"pairs": [[i, i] for i in range(10)]})
    large = bounded.run_script(source, {"pairs": [[i, i] for i in range(1001)]})
    assert (small["n"], small["how"]) == (10, "inline")
    assert (large["n"], large["how"]) == (1001, "worker")


@pytest.mark.parametrize("source", [
    pytest.param("n = len(str(dict(" + ", ".join(f"k{i}=s" for i in range(20)) + ").values()))",
                 id="str-of-dict-values"),
    pytest.param("n = len(f'{dict(k1=s, k2=s, k3=s, k4=s, k5=s, k6=s).items()}' * 1)", id="f-string-of-dict-items"),
    pytest.param("try:\n    x = {}[(" + ", ".join(["s"] * 20) + ")]\nexcept KeyError as e:\n    n = len(str(e))",
                 id="str-of-an-exception"),
    pytest.param("a = [" + ", ".join(f"s[{i}:]" for i in range(30)) + "]\nn = 0", id="slices"),
    pytest.param("a = [" + ", ".join(["list(s)"] * 5) + "]\nn = 0", id="list-copies"),
    pytest.param("n = len(list(enumerate(s)))", id="enumerate"),
    pytest.param("n = len(sorted(zip(s, s, s)))", id="zip"),
])
def test_what_a_statement_builds_is_charged_before_it_is_built(pool: Pool, source: str) -> None:
    """Each used to pass uncharged (dict views and exceptions estimated at 64 bytes, slices and copies free)."""
    bounded = _evaluator(pool, inline_bytes=20_000)
    source += "\nhow = route()"
    assert bounded.plan(source, "exec").inline
    assert bounded.run_script(source, {"s": "x" * 1000})["how"] == "worker"


def test_dict_views_and_exceptions_are_estimated_by_their_content() -> None:
    text = "x" * 1000
    assert estimate({"a": text, "b": text}.values(), 10**6) > 8000
    assert estimate({"a": text}.items(), 10**6) > 4000
    assert estimate(KeyError((text, text)), 10**6) > 8000


def test_the_time_is_checked_after_every_statement(pool: Pool) -> None:
    """No name is read later, so nothing is settled: the tick after each statement still moves the script."""
    bounded = _evaluator(pool, inline_seconds=0.0)
    source = "\n".join(f"n{i} = len(xs)" for i in range(3)) + "\nhow = route()"
    found = bounded.plan(source, "exec")
    assert found.inline and "tick" in found.code.co_names
    assert bounded.run_script(source, {"xs": [1.5] * 10})["how"] == "worker"


def test_the_time_is_checked_before_each_metered_call_of_one_expression(pool: Pool) -> None:
    bounded = _evaluator(pool, inline_seconds=0.0)
    assert bounded.evaluate("(len(sorted(xs)), route())", {"xs": [2.5, 1.5]}) == (2, "worker")


def test_data_beyond_the_inline_allowance_runs_in_the_worker(pool: Pool) -> None:
    """One statement may read its data once per node: the data an inline evaluation reads is bounded too."""
    bounded = _evaluator(pool, inline_bytes=1000)
    assert bounded.evaluate("(len(xs), route())", {"xs": list(range(100))}) == (100, "inline")
    assert bounded.evaluate("(len(xs), route())", {"xs": list(range(2000))}) == (2000, "worker")


def test_the_default_node_limit_keeps_long_scripts_in_the_worker(pool: Pool) -> None:
    assert ScriptLimits().inline_max_nodes == 300
    source = "\n".join(f"n{i} = len(xs)" for i in range(80))
    assert not _evaluator(pool).plan(source, "exec").inline
