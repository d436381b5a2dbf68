"""Script budgets: hostile diagram code stops with BudgetExceeded; ordinary code gives the same results as before."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.bpmn.budget import (
    BoundedEvaluator,
    BudgetExceeded,
    Pool,
    Route,
    ScriptLimits,
)
from engine.bpmn.budget.meter import uncharged
from engine.bpmn.helpers import default_helpers
from engine.bpmn.sandbox import GridcaseScriptEngine, SandboxedEnvironment, SandboxViolation
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected

LIMITS = ScriptLimits(cpu_seconds=1.0, memory_bytes=256 << 20)


class BudgetedEnvironment(SandboxedEnvironment):
    """The planned integration: SandboxedEnvironment whose evaluate/execute go through BoundedEvaluator."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], limits: ScriptLimits, pool: Pool,
                 route: Route = "auto") -> None:
        super().__init__(helpers)
        self.bounded = BoundedEvaluator(self.builtins, self.helpers, limits, pool=pool)
        self.route: Route = route

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        return self.bounded.evaluate(expression, self._globals(context, external_context), self.route)

    def execute(self, script: str, context: dict[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        external = external_context or {}
        self.check_for_overwrite(context, external)
        after = self.bounded.run_script(script, self._globals(context, external), self.route)
        self._copy_back(after, context, external)
        return True


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    workers = Pool(size=1)
    yield workers
    workers.close()


@pytest.fixture
def plain(clock: FakeClock) -> SandboxedEnvironment:
    return SandboxedEnvironment(default_helpers(clock))


@pytest.fixture(params=["auto", "worker"])
def budgeted(request: pytest.FixtureRequest, clock: FakeClock, pool: Pool) -> BudgetedEnvironment:
    return BudgetedEnvironment(default_helpers(clock), LIMITS, pool, request.param)


@pytest.fixture
def bounded(clock: FakeClock, pool: Pool) -> BoundedEvaluator:
    env = SandboxedEnvironment(default_helpers(clock))
    return BoundedEvaluator(env.builtins, env.helpers, LIMITS, pool=pool)


# --- hostile input ----------------------------------------------------------------------------------------

HOSTILE = [
    pytest.param("eval", "sum(range(10**12))", id="sum-range"),
    pytest.param("eval", "10**10**7", id="pow-tower"),
    pytest.param("eval", "'x'*10**10", id="str-repeat"),
    pytest.param("exec", "i = 0\nwhile True: i += 1", id="while-true"),
    pytest.param("eval", "[0]*10**10", id="list-repeat"),
    pytest.param("eval", "'%0*d' % (10**9, 1)", id="percent-star-width"),
    pytest.param("eval", 'f"{1:>{10**10}}"', id="fstring-width"),
    pytest.param("eval", "max(range(10**12))", id="max-range"),
    pytest.param("eval", "sorted(range(10**9))", id="sorted-range"),
    pytest.param("eval", "list(range(10**9))", id="list-range"),
    pytest.param("eval", "'a'.ljust(10**10)", id="ljust"),
    pytest.param("eval", "(1<<10**10)", id="lshift"),
    pytest.param("exec", "x = 2; [x := x*x for _ in range(40)]", id="walrus-squaring"),
    pytest.param("eval", "round(12345, -10**18)", id="round-negative-digits"),
    pytest.param("eval", "round(12345, ndigits=-10**18)", id="round-keyword-digits"),
    pytest.param("eval", "', '.join(['x' * 10**5] * 10**5)", id="join-shared-repetition"),
    pytest.param("exec", "d['k'] += [d['k'], d['k']]", id="self-nesting-cycle"),
    pytest.param("eval", "'%0999999999d' % 1", id="percent-literal-width"),
    pytest.param("exec", "a = [0]\nfor i in range(100):\n    a = [a, a]", id="shared-list-bomb"),
    pytest.param("exec", "s = 'ab'\nfor i in range(40):\n    s = s.replace('a', 'aa')", id="replace-doubling"),
]


@pytest.mark.parametrize(("mode", "source"), HOSTILE)
def test_hostile_code_is_stopped_with_budget_exceeded(bounded: BoundedEvaluator, mode: str, source: str) -> None:
    with pytest.raises(BudgetExceeded) as caught:
        if mode == "eval":
            bounded.evaluate(source, {})
        else:
            bounded.run_script(source, {"d": {"k": [1]}})
    assert caught.value.kind in ("cpu", "memory", "wall", "size")  # wall only when the machine is starved of CPU
    assert str(caught.value).startswith("script budget exceeded: more than")


def test_a_caught_budget_error_still_fails_the_script(bounded: BoundedEvaluator) -> None:
    script = "try:\n    x = 'a' * 10**10\nexcept BaseException:\n    x = 'swallowed'"
    with pytest.raises(BudgetExceeded, match="repetition"):
        bounded.run_script(script, {})


def test_wall_clock_kill(clock: FakeClock, pool: Pool) -> None:
    env = SandboxedEnvironment(default_helpers(clock))
    slow = BoundedEvaluator(env.builtins, env.helpers, ScriptLimits(cpu_seconds=30, wall_seconds=0.3), pool=pool)
    with pytest.raises(BudgetExceeded) as caught:
        slow.evaluate("sum(range(10**12))", {})
    assert (caught.value.kind, caught.value.limit) == ("wall", 0.3)


def test_nested_sharing_cannot_grow_across_evaluations(clock: FakeClock, pool: Pool) -> None:
    """``d = [d, d]`` is inline-safe once, but repeated by a BPMN loop it doubles; the worker expands it."""
    env = SandboxedEnvironment(default_helpers(clock))
    limits = ScriptLimits(max_result_bytes=1 << 16)
    bounded = BoundedEvaluator(env.builtins, env.helpers, limits, pool=pool)
    scope: dict[str, Any] = {"d": [0]}
    with pytest.raises(BudgetExceeded):
        for _ in range(64):
            scope = bounded.run_script("d = [d, d]", scope)


def test_budget_error_names_the_bpmn_element_and_writes_nothing(clock: FakeClock, pool: Pool) -> None:
    bpmn = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score" />
    <bpmn:scriptTask id="score"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
    for script, line in [("total = 1\npadding = 'x' * 10**10", 2), ("total = 1\npadding = 'a'.ljust(10**10)", 2),
                         ("total = 1\ntotal = sum(range(10**12))", 0)]:
        parser = SpiffBpmnParser()
        parser.add_bpmn_str(bpmn.format(script=script).encode(), "p.bpmn")
        engine = GridcaseScriptEngine(clock)
        engine.environment = BudgetedEnvironment(engine.environment.helpers, LIMITS, pool)
        workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=engine)
        with pytest.raises(WorkflowTaskException, match="BudgetExceeded:script budget exceeded") as failed:
            workflow.do_engine_steps()
        assert failed.value.task.task_spec.bpmn_id == "score"
        assert isinstance(failed.value.exception, BudgetExceeded)
        assert failed.value.line_number == line
        assert "total" not in failed.value.task.data


# --- ordinary code: same results as the current sandbox, inline and in the worker ---------------------------

DATA: dict[str, Any] = {
    "urgency": "urgent", "counters": {"rework": 1}, "severity": 4, "category": "road", "x": 5,
    "tags": ["b", "a"], "reported_at": "2026-11-02T00:30:00+00:00", "items": [{"kind": "pothole"}, {"kind": "sign"}],
}

EXPRESSIONS = [
    'urgency == "urgent" and counters.get("rework", 0) < 3',
    "x > 3 and 'b' in tags and len(tags) == 2",
    "sorted([x, 1])[0] + sum(range(3))",
    "f'{category}: {severity:>3} {x!r}'",
    "'%s-%03d' % (category, severity)",
    "severity ** 2 + (1 << 4) - 7 % 3 + x * 2",
    "round(3.14159, 2), round(1234, -2)",
    "str(tags) + repr(category) + str(x)",
    "isinstance(severity, (int, float)) and not isinstance(category, str)",
    "', '.join(sorted(tags)).upper()",
    "add_duration(reported_at, 'PT4H')",
    "now()",
    "parse_duration('PT2H') + timedelta(minutes=5)",
    "[t * 2 for t in tags]",
    "max(counters.values()), {'a': 1, 2: 'b'}, {1, 2}",
    "len('x' * 2_000_000)",  # beyond the inline allowance: escalates to the worker, same answer
    "category if severity > 3 else None",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_expressions_give_the_same_results(plain: SandboxedEnvironment, budgeted: BudgetedEnvironment,
                                           expression: str) -> None:
    expected = plain.evaluate(expression, dict(DATA))
    got = budgeted.evaluate(expression, dict(DATA))
    assert (got, type(got)) == (expected, type(expected))


SCRIPTS = [
    # independent statements: inline
    'score = severity * 2 + (3 if urgency == "urgent" else 0)\npriority = "high" if severity >= 4 else "normal"\n'
    'counters["rework"] = counters.get("rework", 0) + 1\ndue = add_duration(reported_at, "PT4H")\n'
    'summary = f"{category}: severity {severity}"',
    "x += 2\ndel category\ntags.append('c')",
    # worker: loops, functions, dependent statements
    "total = 0\nfor item in items:\n    if item['kind'] == 'pothole':\n        total += 1",
    "n = x\nn += 2\ntotal = n * 10\ncounters['log'] = []\ncounters['log'] += ['x']\n"
    "def double(v):\n    return v * 2\ndoubled = double(total)\nstarted = now()\nwhen = started.isoformat()",
    "pair = (1, 2)\nkeyed = {1: 'a', (2, 3): 'b'}\nnested = {'$o': 1, 'l': [pair]}\nspan = parse_duration('PT1H')",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_write_back_the_same_data(plain: SandboxedEnvironment, budgeted: BudgetedEnvironment,
                                          script: str) -> None:
    import copy

    expected, got = copy.deepcopy(DATA), copy.deepcopy(DATA)
    plain.execute(script, expected)
    budgeted.execute(script, got)
    assert got == expected
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}


@pytest.mark.parametrize(("source", "error"), [
    ("codes = {}\nseverity = codes[5]", KeyError),
    ("for i in range(2):\n    pass\nx = 1 / 0", ZeroDivisionError),
    ("open('/etc/passwd')", NameError),
    ("y = '{0.real}'.format(x)", SandboxViolation),
    ("y = x.missing", AttributeError),
])
def test_errors_keep_their_type(plain: SandboxedEnvironment, budgeted: BudgetedEnvironment,
                                source: str, error: type[Exception]) -> None:
    with pytest.raises(error) as expected:
        plain.execute(source, dict(DATA))
    with pytest.raises(error) as got:
        budgeted.execute(source, dict(DATA))
    assert got.value.args == expected.value.args


def test_helpers_run_in_the_parent_even_from_the_worker(clock: FakeClock, pool: Pool) -> None:
    calls: list[str] = []

    def audit(what: str) -> int:
        calls.append(what)
        return len(calls)

    helpers = default_helpers(clock)
    helpers["audit"] = audit
    env = BudgetedEnvironment(helpers, LIMITS, pool, "worker")
    data: dict[str, Any] = {}
    env.execute("for i in range(2):\n    n = audit(f'call {i}')\nat = now_iso()\nspan = parse_duration('P1D')", data)
    assert calls == ["call 0", "call 1"]
    assert data == {"n": 2, "at": "2026-11-02T00:30:00+00:00", "i": 1}
    assert env.evaluate("parse_duration('PT1H')", {}) == timedelta(hours=1)
    with pytest.raises(FormRejected) as rejected:
        env.execute("for i in range(1):\n    reject('address', 'outside the city')", {})
    assert (str(rejected.value), rejected.value.field) == ("outside the city", "address")


@pytest.mark.parametrize(("mode", "source", "inline"), [
    ("eval", 'urgency == "urgent" and counters.get("rework", 0) < 3', True),
    ("eval", "f'{category}: {severity:>3}'", True),
    ("exec", SCRIPTS[0], True),
    ("exec", "x += 2\ndel category\ntags.append('c')", True),
    ("eval", "sum(range(10))", False),  # range: an unbounded C loop is one call away
    ("eval", "[t for t in tags]", False),
    ("exec", "a = x\nb = a + a", False),  # reads a name assigned above: sizes could double per line
    ("exec", "tags.append(tags)", False),  # nests a value in itself
    ("eval", "list(map(repr, tags))", False),  # repr passed around would escape its guard
    ("eval", "'a'.ljust(10)", False),
    ("exec", "d.get('a').append([d.get('a'), d.get('a')])", False),  # mutates task data through an alias
    ("exec", "max(d['lists'])[0] = 1", False),
])
def test_only_provably_bounded_code_runs_inline(bounded: BoundedEvaluator, mode: str, source: str,
                                                inline: bool) -> None:
    assert bounded.plan(source, mode).inline is inline  # type: ignore[arg-type]


@pytest.mark.parametrize(("route", "source"), [
    ("auto", "busy() or busy() or busy() or busy()"),  # inline: no loop, but each call burns 0.2 s
    ("worker", "for i in range(10):\n    busy()"),  # the worker waits while the parent runs the helper
])
def test_time_in_helpers_counts_against_the_cpu_budget(clock: FakeClock, pool: Pool, route: Route,
                                                       source: str) -> None:
    def busy() -> None:
        started = time.thread_time()
        while time.thread_time() - started < 0.2:
            pass

    helpers = default_helpers(clock)
    helpers["busy"] = busy
    env = BudgetedEnvironment(helpers, ScriptLimits(cpu_seconds=0.5), pool, route)
    with pytest.raises(BudgetExceeded, match="helper functions") as caught:
        env.execute(source, {})
    assert caught.value.kind == "cpu"


@pytest.mark.parametrize(("route", "source"), [
    ("auto", "warm() or warm() or warm()"),
    ("worker", "for i in range(3):\n    warm()"),
])
def test_work_a_helper_marks_uncharged_is_not_charged_to_the_script(clock: FakeClock, pool: Pool, route: Route,
                                                                     source: str) -> None:
    # A helper that builds a cache (the grid index after a city load) burns CPU for gridcase, not for the
    # script that happened to call it first: a legitimate script must not fail for it.
    def warm() -> None:
        with uncharged():
            started = time.thread_time()
            while time.thread_time() - started < 0.2:
                pass

    helpers = default_helpers(clock)
    helpers["warm"] = warm
    env = BudgetedEnvironment(helpers, ScriptLimits(cpu_seconds=0.3), pool, route)
    env.execute(source, {})  # 0.6 s of uncharged helper work within a 0.3 s budget
