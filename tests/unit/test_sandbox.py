"""The script sandbox: evaluate/execute semantics, helpers, refusals, and real diagrams run through it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.helpers import add_duration, default_helpers, iso_duration, parse_datetime, parse_duration
from engine.bpmn.sandbox import (
    GridcaseScriptEngine,
    SandboxedEnvironment,
    SandboxViolation,
    compile_sandboxed,
)
from engine.domain.clock import FakeClock

UNDERSCORE = '"{}" is an invalid attribute name because it starts with "_".'

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="t">
  <bpmn:process id="triage" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score" />
    <bpmn:scriptTask id="score"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="to_low" />
    <bpmn:sequenceFlow id="to_high" sourceRef="gw" targetRef="high">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_low" sourceRef="gw" targetRef="low" />
    <bpmn:scriptTask id="high"><bpmn:script>route = "high"</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="low"><bpmn:script>route = "low"</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="high" targetRef="decide" />
    <bpmn:sequenceFlow id="f4" sourceRef="low" targetRef="decide" />
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>priority</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f5" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="d" namespace="t">
  <decision id="priority" name="Priority">
    <decisionTable id="table">
      <input id="in_route"><inputExpression id="e1"><text>route</text></inputExpression></input>
      <input id="in_sev"><inputExpression id="e2"><text>severity</text></inputExpression></input>
      <output id="out" name="priority" typeRef="string" />
      <rule id="r1">
        <inputEntry id="a1"><text>"high"</text></inputEntry>
        <inputEntry id="b1"><text>? &gt;= 8</text></inputEntry>
        <outputEntry id="o1"><text>"urgent"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="a2"><text>"high"</text></inputEntry><inputEntry id="b2"><text>-</text></inputEntry>
        <outputEntry id="o2"><text>"soon"</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="a3"><text>-</text></inputEntry><inputEntry id="b3"><text>&lt; 3</text></inputEntry>
        <outputEntry id="o3"><text>"later"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

SCORE = "reports = [1]\nreports.append(extra)\nseverity = max(reports)\nseverity += 1\nopened = now_iso()"


@pytest.fixture
def env(clock: FakeClock) -> SandboxedEnvironment:
    return SandboxedEnvironment(default_helpers(clock))


def run_diagram(clock: FakeClock, script: str, condition: str = "severity &gt;= 4") -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.format(script=script, condition=condition).encode(), "triage.bpmn")
    parser.add_dmn_str(DMN.encode(), "priority.dmn")
    spec = parser.get_spec("triage")
    subprocess_specs = parser.get_subprocess_specs("triage")
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=GridcaseScriptEngine(clock))
    workflow.do_engine_steps()
    return workflow


def completed(workflow: BpmnWorkflow) -> set[str]:
    return {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id}


# --- evaluate -------------------------------------------------------------------------------------------


def test_evaluate_reads_task_data_and_external_context(env: SandboxedEnvironment) -> None:
    data = {"x": 5, "tags": ["a", "b"]}
    assert env.evaluate("x > 3", data) is True
    assert env.evaluate("x > 3 and 'b' in tags and len(tags) == 2", data) is True
    assert env.evaluate("dmninputexpr == x", data, external_context={"dmninputexpr": 5}) is True
    assert env.evaluate("sorted([x, 1])[0] + sum(range(3))", data) == 4
    assert env.evaluate("  x + 1", data) == 6
    assert data == {"x": 5, "tags": ["a", "b"]}


def test_evaluate_caches_compiled_code() -> None:
    assert compile_sandboxed("severity >= 4", "eval") is compile_sandboxed("severity >= 4", "eval")


# --- execute --------------------------------------------------------------------------------------------


def test_execute_copies_back_assignments_and_in_place_changes(env: SandboxedEnvironment) -> None:
    data: dict[str, Any] = {"n": 1, "items": [1], "case": {"count": 1, "log": []}, "gone": 1}
    script = """
n += 2
total = n * 10
items.append(2)
case['status'] = 'open'
case['count'] += 4
case['log'] += ['x']
del gone
def double(v):
    return v * 2
doubled = double(total)
started = now()
"""
    assert env.execute(script, data) is True
    assert data == {
        "n": 3, "items": [1, 2], "case": {"count": 5, "log": ["x"], "status": "open"},
        "total": 30, "doubled": 60,
    }  # fmt: skip


def test_execute_dedents_indented_diagram_scripts(env: SandboxedEnvironment) -> None:
    data: dict[str, Any] = {}
    env.execute("\n    a = 1\n    b = a + 1\n", data)
    assert data == {"a": 1, "b": 2}


def test_execute_refuses_task_data_that_overwrites_a_helper(env: SandboxedEnvironment) -> None:
    with pytest.raises(ValueError, match="'now'"):
        env.execute("x = 1", {"now": "yesterday"})
    with pytest.raises(ValueError, match=r"assigns to helper\(s\) 'now_iso'"):
        env.execute("now_iso = 'today'", {})


# --- helpers --------------------------------------------------------------------------------------------


def test_now_follows_the_fake_clock(clock: FakeClock, env: SandboxedEnvironment) -> None:
    assert env.evaluate("now()", {}) == clock.now()
    clock.advance(hours=3)
    data: dict[str, Any] = {}
    env.execute("stamp = now_iso()\nlate = is_past('2026-11-02T03:00:00+00:00')", data)
    assert data == {"stamp": "2026-11-02T03:30:00+00:00", "late": True}
    assert env.evaluate("now() - timedelta(hours=3)", {}) == datetime(2026, 11, 2, 0, 30, tzinfo=UTC)


def test_duration_helpers() -> None:
    assert iso_duration(hours=4) == "PT4H"
    assert iso_duration(days=2, hours=3) == "P2DT3H"
    assert iso_duration(minutes=1.5) == "PT1.5M"
    assert iso_duration() == "PT0S"
    assert parse_duration("P1DT2H30M") == timedelta(days=1, hours=2, minutes=30)
    assert add_duration("2026-01-31T08:00:00Z", "P1M") == "2026-02-28T08:00:00+00:00"
    assert add_duration("2026-11-02T00:30:00+08:00", "PT4H") == "2026-11-01T20:30:00+00:00"
    assert parse_datetime("2026-11-02T00:30:00") == datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        parse_duration("4 hours")


def test_engine_extra_helpers(clock: FakeClock) -> None:
    engine = GridcaseScriptEngine(clock, extra_helpers={"district_of": lambda code: code[:2]})
    assert engine.clock is clock
    assert engine.environment.evaluate("district_of('BJ-01')", {}) == "BJ"


# --- refusals -------------------------------------------------------------------------------------------

REFUSED_AT_COMPILE = [
    ("import os", 'Imports are not allowed ("import os")'),
    ("from os import path", 'Imports are not allowed ("from os import ...")'),
    ("x = ().__class__", UNDERSCORE.format("__class__")),
    ("y = x.__dict__", UNDERSCORE.format("__dict__")),
    ("__import__('os')", '"__import__" is an invalid variable name because it starts with "_"'),
    ("eval('1')", "Eval calls are not allowed."),
    ("exec('x = 1')", "Exec calls are not allowed."),
    ("class A:\n    pass", 'Class definitions are not allowed ("class A")'),
]


@pytest.mark.parametrize(("script", "message"), REFUSED_AT_COMPILE)
def test_refused_at_compile_time(env: SandboxedEnvironment, script: str, message: str) -> None:
    with pytest.raises(SandboxViolation, match="Script refused by the sandbox: Line 1: ") as refused:
        env.execute(script, {"x": 1})
    assert message in str(refused.value)


def test_dunder_access_in_expressions_is_refused(env: SandboxedEnvironment) -> None:
    with pytest.raises(SandboxViolation, match="__subclasses__"):
        env.evaluate("().__class__.__subclasses__()", {})


@pytest.mark.parametrize("script", ["getattr(x, '__class__')", "getattr(x, '__dict__', None)"])
def test_getattr_of_private_names_is_refused(env: SandboxedEnvironment, script: str) -> None:
    with pytest.raises(SandboxViolation, match='is an invalid attribute name because it starts with "_"'):
        env.execute(script, {"x": 1})


@pytest.mark.parametrize("name", ["open", "compile", "globals", "vars", "locals", "input", "dir", "type"])
def test_dangerous_builtins_are_unavailable(env: SandboxedEnvironment, name: str) -> None:
    with pytest.raises(NameError, match=f"'{name}' is not defined"):
        env.execute(f"{name}()", {})


def test_str_format_is_refused(env: SandboxedEnvironment) -> None:
    with pytest.raises(SandboxViolation, match="format"):
        env.evaluate("'{0.real}'.format(x)", {"x": 1})


def test_missing_attributes_raise_like_python(env: SandboxedEnvironment) -> None:
    with pytest.raises(AttributeError, match="missing"):
        env.evaluate("x.missing", {"x": 1})


# --- end to end through SpiffWorkflow -------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "route", "priority"), [(7, "high", "urgent"), (1, "low", "later")])
def test_diagram_runs_through_the_sandbox(clock: FakeClock, extra: int, route: str, priority: str) -> None:
    workflow = run_diagram(clock, SCORE.replace("extra", str(extra)))
    assert workflow.is_completed()
    other = {"high": "low", "low": "high"}[route]
    assert {route, "decide"} <= completed(workflow)
    assert other not in completed(workflow)
    data = workflow.get_tasks(spec_name="end")[0].data
    assert data["route"] == route
    assert data["severity"] == max(1, extra) + 1
    assert data["opened"] == "2026-11-02T00:30:00+00:00"
    assert data["priority"] == priority


def test_diagram_importing_os_fails_with_the_refusal(clock: FakeClock) -> None:
    with pytest.raises(WorkflowTaskException, match="Imports are not allowed") as failed:
        run_diagram(clock, "severity = 1\nimport os\nsecret = os.environ")
    assert isinstance(failed.value.exception, SandboxViolation)  # type: ignore[attr-defined]
    assert (failed.value.line_number, failed.value.error_line) == (2, "import os")


def test_script_errors_are_wrapped_with_their_cause_and_line(clock: FakeClock) -> None:
    with pytest.raises(WorkflowTaskException, match="KeyError:5") as failed:
        run_diagram(clock, "codes = {}\nseverity = codes[5]")
    assert isinstance(failed.value.exception, KeyError)  # type: ignore[attr-defined]
    assert failed.value.line_number == 2


def test_gateway_condition_reaching_a_dunder_fails_with_the_refusal(clock: FakeClock) -> None:
    with pytest.raises(WorkflowTaskException, match="invalid attribute name") as failed:
        run_diagram(clock, "severity = 5", condition="severity.__class__ is int")
    assert isinstance(failed.value.exception, SandboxViolation)  # type: ignore[attr-defined]


def test_service_tasks_are_not_supported(env: SandboxedEnvironment) -> None:
    with pytest.raises(SandboxViolation, match="service tasks are not supported"):
        env.call_service({}, operation_name="http/get")
