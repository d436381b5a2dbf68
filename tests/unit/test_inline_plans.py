"""The lifecycle's everyday scripts run in process under the meter; hostile code still goes to the worker.

Inline now also takes ``try``/``except``, ``name = lambda ...``, generator expressions inside ``all``/``any``
and statements that read what earlier ones stored (each such value settled: a tree within the
inline allowance).  What could amplify without the meter seeing it stays in the worker or moves there.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from inline_support import route

from engine.bpmn.budget import BoundedEvaluator, BudgetExceeded, Pool, ScriptLimits
from engine.bpmn.budget.limits import Opaque
from engine.bpmn.helpers import default_helpers
from engine.bpmn.sandbox import SandboxedEnvironment
from engine.domain.clock import FakeClock

LIFECYCLE = Path(__file__).resolve().parents[2] / "workflows" / "case_lifecycle.bpmn"
CITY_HELPERS = ("locate", "emergency_at", "deadline", "elapsed")  # the planner needs their names only
# Not on the everyday path, and each builds a list with a comprehension (or changes a value it built): the worker.
# Also register_report (over inline_max_nodes) and record_dispatch (set(): hashing is quadratic on colliding ints).
IN_WORKER = {"weigh_emergency_at_dispatch", "weigh_emergency_in_disposal", "record_co_handling", "record_evaluation",
             "register_report", "record_dispatch"}




def _evaluator(pool: Pool, limits: ScriptLimits | None = None) -> BoundedEvaluator:
    helpers: dict[str, Any] = default_helpers(FakeClock())
    helpers.update({name: (lambda *args: None) for name in CITY_HELPERS})
    helpers["route"] = route
    env = SandboxedEnvironment(helpers)
    return BoundedEvaluator(env.builtins, env.helpers, limits or ScriptLimits(), pool=pool)


def _lifecycle_scripts() -> dict[str, str]:
    text = LIFECYCLE.read_text(encoding="utf-8")
    found = re.finditer(r'<bpmn:scriptTask id="([^"]+)"[^>]*>.*?<bpmn:script>(.*?)</bpmn:script>', text, re.S)
    return {m.group(1): html.unescape(m.group(2)) for m in found}


def test_the_lifecycle_scripts_plan_inline(pool: Pool) -> None:
    bounded = _evaluator(pool)
    scripts = _lifecycle_scripts()
    plans = {element: bounded.plan(source, "exec") for element, source in scripts.items()}
    assert {"record_priority", "apply_emergency_rules", "start_disposal_clock"} <= set(scripts)  # the typhoon path
    assert {element: p.reason for element, p in plans.items() if not p.inline} == {
        element: plans[element].reason for element in IN_WORKER}
    assert all(plans[element].reason for element in IN_WORKER)


def test_a_nested_report_stays_inline(pool: Pool) -> None:
    """A dict holding dicts is a tree: the size check after the run no longer mistakes it for shared data."""
    bounded = _evaluator(pool)
    report = {"location": {"lon": 118.1, "lat": 24.5}, "evidence": [{"kind": "photo"}], "where": {"grid": "g1"}}
    after = bounded.run_script("report = dict(report, urgency=urgency)\nhow = route()",
                               {"report": report, "urgency": "urgent"})
    assert after["how"] == "inline"
    assert after["report"] == dict(report, urgency="urgent")


NOT_INLINE = [
    pytest.param("f = lambda n: f(n)", id="recursive-lambda"),
    pytest.param("f = lambda g: g(g)\nx = f(f)", id="lambda-passed-around"),
    pytest.param("f = lambda: 1\ng = f", id="lambda-as-value"),
    pytest.param("f = lambda x=tags: x", id="lambda-default"),
    pytest.param("f = lambda: 1\nf = lambda: 2", id="lambda-bound-twice"),
    pytest.param("out = sorted(tags, key=lambda t: t)", id="lambda-as-argument"),
    pytest.param("a = tags\nf = lambda: a", id="lambda-reads-a-computed-name"),
    pytest.param("try:\n    x = 1\nexcept:\n    x = 2", id="bare-except"),
    pytest.param("try:\n    x = 1\nexcept BaseException:\n    x = 2", id="except-base-exception"),
    pytest.param("try:\n    x = 1\nfinally:\n    y = 2", id="try-finally"),
    pytest.param("out = list(t for t in tags)", id="generator-kept"),
    pytest.param("out = all([t for t in tags])", id="list-comprehension"),
    pytest.param("out = set(tags)", id="set"),
    pytest.param("n = len(set(tags))", id="len-of-set"),
    pytest.param("a = tags\nb = a + a", id="doubling"),
    pytest.param("a = tags\nb = [a]\nc = b * 2 + b", id="doubling-through-a-list"),
    pytest.param("a = [1]\na.append(2)", id="mutating-a-computed-value"),
    pytest.param("len = 3", id="binding-a-builtin"),
    pytest.param("f = lambda p, q: p + q", id="lambda-doubling"),
]


@pytest.mark.parametrize("source", NOT_INLINE)
def test_unbounded_or_unclear_code_still_plans_for_the_worker(pool: Pool, source: str) -> None:
    assert not _evaluator(pool).plan(source, "exec").inline, source


def _data(scope: dict[str, Any]) -> dict[str, Any]:
    """What a script leaves as data (functions stay behind; the worker sends them as Opaque)."""
    return {k: v for k, v in scope.items() if k != "how" and not k.startswith("_")
            and not callable(v) and not isinstance(v, Opaque)}


@pytest.mark.parametrize("source", [
    "ok = all(isinstance(t, str) and t.strip() for t in tags)\nhow = route()",
    "twice = len(sorted(tags)) != len(tags[:2])\nhow = route()",
    "try:\n    x = missing\nexcept NameError:\n    x = None\nhow = route()",
    "seen = lambda tag: any(t == tag for t in tags)\nfirst = seen('a')\nsecond = seen('z')\nhow = route()",
    "a = tags\nb = 'tags: ' + ', '.join(a)\nhow = route()",
])
def test_new_inline_constructs_give_the_worker_s_answer(pool: Pool, source: str) -> None:
    bounded = _evaluator(pool)
    scope = {"tags": ["a", "b", "a"]}
    assert bounded.plan(source, "exec").inline
    inline = bounded.run_script(source, scope, "auto")
    assert _data(inline) == _data(bounded.run_script(source, scope, "worker"))
    assert inline["how"] == "inline"


def test_a_value_met_twice_moves_the_script_to_the_worker(pool: Pool) -> None:
    """``[a, a]`` shares ``a``; read by the next line, it could double per line unseen: the worker runs it."""
    bounded = _evaluator(pool)
    source = "a = [x, x]\nb = [a, a]\nhow = route()"
    assert bounded.plan(source, "exec").inline
    after = bounded.run_script(source, {"x": [1]})
    assert after["how"] == "worker"
    assert after["b"] == [[[1], [1]], [[1], [1]]]


def test_an_alias_that_nests_data_in_itself_moves_to_the_worker(pool: Pool) -> None:
    """``a`` is ``d``: the second line makes ``d`` a cycle, which no static rule sees; the settle check does."""
    bounded = _evaluator(pool)
    source = "a = d\nd.append(a)\nhow = route()"
    assert bounded.plan(source, "exec").inline
    assert bounded.run_script(source, {"d": [1]})["how"] == "worker"


def test_a_quadratic_generator_is_stopped_by_the_worker(pool: Pool) -> None:
    """Each step of an inline generator is timed: past inline_seconds it moves to the worker and its CPU limit."""
    bounded = _evaluator(pool, ScriptLimits(cpu_seconds=0.5))
    source = "ok = all(data.count(x) >= 0 for x in data)"
    assert bounded.plan(source, "exec").inline
    with pytest.raises(BudgetExceeded) as caught:
        bounded.run_script(source, {"data": list(range(40_000))})
    assert caught.value.kind in ("cpu", "wall")


def test_a_settled_value_beyond_the_inline_allowance_moves_to_the_worker(pool: Pool) -> None:
    bounded = _evaluator(pool, ScriptLimits(inline_bytes=1000))
    after = bounded.run_script("a = list(data)\nn = len(a)\nhow = route()", {"data": list(range(2000))})
    assert (after["n"], after["how"]) == (2000, "worker")
