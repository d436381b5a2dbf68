"""The sandbox under its budget: scripts, conditions, timers, previews and compiles stop with a clear error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from designer.lint import lint_sources
from designer.timer_preview import preview_timer
from engine.bpmn.budget import MAX_SOURCE_CHARS, BudgetExceeded, ScriptLimits
from engine.bpmn.helpers import default_helpers
from engine.bpmn.sandbox import GridcaseScriptEngine, SandboxedEnvironment, SandboxViolation, compile_sandboxed
from engine.bpmn.specs import GridcaseParser
from engine.bpmn.timers import validate_timer_expression
from engine.domain.clock import FakeClock
from web.settings import Settings

LIMITS = ScriptLimits(cpu_seconds=0.3)
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>')
TAIL = '<bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>'


@pytest.fixture
def env(clock: FakeClock) -> SandboxedEnvironment:
    return SandboxedEnvironment(default_helpers(clock), LIMITS)


@pytest.mark.parametrize("expression", [
    "sum(range(10**12))",  # a C loop: only the kernel's CPU timer stops it
    "10**10**7",  # fails at once: no integer beyond max_int_bits
    "'x'*10**10",
    "pow(10, 10**8)",
    "math.factorial(10**7)",
    "sorted(range(10**9))",
])
def test_a_hostile_expression_stops_with_the_budget(env: SandboxedEnvironment, expression: str) -> None:
    with pytest.raises(BudgetExceeded, match=r"^script budget exceeded: more than"):
        env.evaluate(expression, {})


@pytest.mark.parametrize(("script", "kind"), [
    ("i = 0\nwhile True: i += 1", ("cpu", "wall")),
    ("x = 2\nfor _ in range(40):\n    x = x * x", ("size",)),
    ("d = {}\nwhile True:\n    d[len(d)] = 'x' * 100000", ("memory", "cpu", "wall")),
])
def test_a_hostile_script_stops_and_writes_nothing(env: SandboxedEnvironment, script: str, kind: tuple[str]) -> None:
    data = {"kept": 1}
    with pytest.raises(BudgetExceeded) as caught:
        env.execute(script, data)
    assert caught.value.kind in kind
    assert data == {"kept": 1}


def test_a_power_tower_fails_at_once_naming_the_integer_limit(env: SandboxedEnvironment) -> None:
    with pytest.raises(BudgetExceeded) as caught:
        env.evaluate("10**10**7", {})
    assert (caught.value.kind, caught.value.limit) == ("size", 1 << 16)
    assert "power of about 30,000,001 bits" in str(caught.value)


def test_ordinary_code_is_unchanged(env: SandboxedEnvironment) -> None:
    data = {"severity": 4, "tags": ["b", "a"]}
    assert env.evaluate("severity >= 4 and 'a' in tags", data) is True
    env.execute("total = 0\nfor t in tags:\n    total += len(t)\nlevel = 'high' if severity > 3 else 'low'", data)
    assert data == {"severity": 4, "tags": ["b", "a"], "total": 2, "level": "high", "t": "a"}


def _workflow(clock: FakeClock, body: str, path: str) -> BpmnWorkflow:
    parser = GridcaseParser()
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(["start", *path.split()], [*path.split(), "end"], strict=True)))
    parser.add_bpmn_str(f"{HEAD}{body}{flows}{TAIL}".encode(), "p.bpmn")
    return BpmnWorkflow(parser.get_spec("p"), parser.get_subprocess_specs("p"),
                        script_engine=GridcaseScriptEngine(clock, limits=LIMITS))


@pytest.mark.parametrize(("body", "path", "element"), [
    ('<bpmn:scriptTask id="spin"><bpmn:script>i = 0\nwhile True: i += 1</bpmn:script></bpmn:scriptTask>',
     "spin", "spin"),
    ('<bpmn:exclusiveGateway id="gw" default="f1"/><bpmn:sequenceFlow id="hot" sourceRef="gw" targetRef="end">'
     '<bpmn:conditionExpression>sum(range(10**12)) &gt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>',
     "gw", "gw"),
    ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>'
     '"PT%dS" % sum(range(10**12))</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
     "wait", "wait"),
])
def test_the_failing_element_is_named(clock: FakeClock, body: str, path: str, element: str) -> None:
    workflow = _workflow(clock, body, path)
    with pytest.raises(WorkflowTaskException, match="script budget exceeded") as failed:
        workflow.do_engine_steps()
    assert failed.value.task.task_spec.bpmn_id == element
    assert isinstance(failed.value.exception, BudgetExceeded)


def test_the_timer_preview_runs_within_the_budget() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="BudgetExceeded: script budget exceeded: more than"):
        preview_timer("timeDuration", '"PT%dS" % sum(range(10**12))', {}, now, limits=LIMITS)
    with pytest.raises(ValueError, match="bits in one integer"):
        preview_timer("timeDuration", "10**10**7", {}, now)
    assert preview_timer("timeDuration", '"PT%dH" % hours', {"hours": 4}, now, limits=LIMITS)["value"] == "PT4H"


@pytest.mark.parametrize(("source", "message"), [
    ("x = 1\n" * (MAX_SOURCE_CHARS // 6 + 1), "characters, more than 100,000"),
    ("x = " + "+".join(["a"] * 30_000), "nested too deeply"),  # the parser recursed: was a RecursionError
])
def test_code_too_long_or_too_deep_is_refused_before_it_compiles(source: str, message: str) -> None:
    with pytest.raises(SandboxViolation, match=message):
        compile_sandboxed(source, "exec")
    problems = lint_sources({"p.bpmn": f'{HEAD}<bpmn:scriptTask id="big"><bpmn:script>{source}</bpmn:script>'
                                       '</bpmn:scriptTask><bpmn:sequenceFlow id="f1" sourceRef="start" '
                                       f'targetRef="big"/><bpmn:sequenceFlow id="f2" sourceRef="big" '
                                       f'targetRef="end"/>{TAIL}'})
    assert any(p.element_id == "big" and p.severity == "error" and message in p.message for p in problems)


def test_a_timer_expression_too_long_is_refused_at_deploy() -> None:
    with pytest.raises(ValueError, match="characters, more than 100,000"):
        validate_timer_expression("wait", lambda text: text, "x + " * 30_000 + "1")


def test_the_budget_comes_from_the_settings() -> None:
    settings = Settings.from_env({"GRIDCASE_SCRIPT_CPU_SECONDS": "2.5", "GRIDCASE_SCRIPT_MEMORY_MB": "512"})
    assert settings.script_limits() == ScriptLimits(cpu_seconds=2.5, memory_bytes=512 << 20)
    assert Settings.from_env({}).script_limits() == ScriptLimits()
    for variable, value in [("GRIDCASE_SCRIPT_CPU_SECONDS", "0"), ("GRIDCASE_SCRIPT_CPU_SECONDS", "nan"),
                            ("GRIDCASE_SCRIPT_MEMORY_MB", "8")]:
        with pytest.raises(ValueError, match=f"invalid GRIDCASE_ setting: {variable} must be"):
            Settings.from_env({variable: value})
