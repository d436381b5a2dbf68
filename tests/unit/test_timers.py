"""Clocked BPMN timers: ISO literals and Python expressions, driven by a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.timers import (
    ClockedCycleTimerEventDefinition,
    ClockedDurationTimerEventDefinition,
    ClockedTimeDateEventDefinition,
    clocked_parser_classes,
    clocked_serializer_config,
    format_iso_duration,
    is_iso_literal,
    timer_due_at,
    timer_expression_value,
)
from engine.domain.clock import FakeClock


class GridcaseParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = clocked_parser_classes(SpiffBpmnParser.OVERRIDE_PARSER_CLASSES)


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:userTask id="work" name="Handle case">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="done"/>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="sla" name="SLA" attachedToRef="work" cancelActivity="{cancel}">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="sla_def">
        <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expr}</bpmn:{kind}>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="sla" targetRef="escalate"/>
    <bpmn:scriptTask id="escalate">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>escalated = True</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="escalated_end"/>
    <bpmn:endEvent id="escalated_end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def parse(expr: str, kind: str = "timeDuration", cancel: bool = True) -> tuple[Any, dict[str, Any]]:
    """Parse the one-boundary-timer process with ``expr`` as its timer."""
    parser = GridcaseParser()
    xml = BPMN.format(kind=kind, expr=expr, cancel="true" if cancel else "false")
    parser.add_bpmn_str(xml.encode())
    return parser.get_spec("proc"), parser.get_subprocess_specs("proc")


@pytest.fixture
def engine(clock: FakeClock) -> PythonScriptEngine:
    script_engine = PythonScriptEngine()
    script_engine.clock = clock  # type: ignore[attr-defined]
    return script_engine


def start(
    engine: PythonScriptEngine, expr: str, kind: str = "timeDuration", cancel: bool = True, **data: Any
) -> BpmnWorkflow:
    """Start the process with ``data`` and run until the user task waits."""
    spec, subprocess_specs = parse(expr, kind, cancel)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def tick(workflow: BpmnWorkflow) -> None:
    """What the scheduler does: refresh timers, then run what became ready."""
    workflow.refresh_timers()
    workflow.do_engine_steps()


def timer_task(workflow: BpmnWorkflow) -> Any:
    return workflow.get_next_task(spec_name="sla")


def escalations(workflow: BpmnWorkflow) -> int:
    """Completed escalations.  Not ``get_tasks(state=COMPLETED)``: Spiff's iterator does not descend
    below the still-WAITING cycle timer, so the branches it spawned would be missed."""
    tasks = workflow.get_tasks(spec_name="escalate")
    return sum(1 for task in tasks if task.state == TaskState.COMPLETED)


def work_state(workflow: BpmnWorkflow) -> TaskState:
    return workflow.get_tasks(spec_name="work")[0].state


def test_bare_duration_literal_fires_exactly_at_due_time(
    engine: PythonScriptEngine, clock: FakeClock
) -> None:
    t0 = clock.now()
    workflow = start(engine, "PT4H")
    assert isinstance(timer_task(workflow).task_spec.event_definition, ClockedDurationTimerEventDefinition)
    assert timer_due_at(timer_task(workflow)) == ("duration", t0 + timedelta(hours=4))

    clock.advance(hours=3, minutes=59)
    tick(workflow)
    assert escalations(workflow) == 0
    assert work_state(workflow) == TaskState.READY

    clock.advance(minutes=1)
    tick(workflow)
    assert escalations(workflow) == 1
    assert work_state(workflow) == TaskState.CANCELLED
    assert workflow.is_completed()


@pytest.mark.parametrize("expr", ['"PT" + str(hours) + "H"', "timedelta(hours=hours)"])
def test_python_expression_uses_task_data(engine: PythonScriptEngine, clock: FakeClock, expr: str) -> None:
    engine.environment.globals["timedelta"] = timedelta
    t0 = clock.now()
    workflow = start(engine, expr, hours=2)
    assert timer_due_at(timer_task(workflow)) == ("duration", t0 + timedelta(hours=2))
    clock.advance(hours=2)
    tick(workflow)
    assert escalations(workflow) == 1


def test_bare_datetime_literal_with_offset(engine: PythonScriptEngine, clock: FakeClock) -> None:
    workflow = start(engine, "2026-11-02T10:30:00+08:00", kind="timeDate")
    task = timer_task(workflow)
    assert isinstance(task.task_spec.event_definition, ClockedTimeDateEventDefinition)
    due = datetime(2026, 11, 2, 2, 30, tzinfo=UTC)
    assert timer_due_at(task) == ("date", due)
    assert task.task_spec.event_definition.details(task).value == "2026-11-02T10:30:00+08:00"

    clock.set(due - timedelta(seconds=1))
    tick(workflow)
    assert escalations(workflow) == 0
    clock.set(due)
    tick(workflow)
    assert escalations(workflow) == 1


def test_cycle_on_non_interrupting_boundary_fires_three_times(
    engine: PythonScriptEngine, clock: FakeClock
) -> None:
    t0 = clock.now()
    workflow = start(engine, "R3/PT1H", kind="timeCycle", cancel=False)
    assert isinstance(timer_task(workflow).task_spec.event_definition, ClockedCycleTimerEventDefinition)
    assert timer_due_at(timer_task(workflow)) == ("cycle", t0 + timedelta(hours=1))

    for hour in range(1, 6):
        clock.advance(minutes=59)
        tick(workflow)
        assert escalations(workflow) == min(hour - 1, 3)
        clock.advance(minutes=1)
        tick(workflow)
        assert escalations(workflow) == min(hour, 3)
        assert work_state(workflow) == TaskState.READY
    assert timer_due_at(timer_task(workflow)) is None

    work = workflow.get_next_task(spec_name="work")
    work.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert escalations(workflow) == 3


def test_due_time_is_fixed_when_the_timer_first_waits(engine: PythonScriptEngine, clock: FakeClock) -> None:
    t0 = clock.now()
    workflow = start(engine, '"PT" + str(hours) + "H"', hours=3)
    task = timer_task(workflow)
    task.data["hours"] = 1
    workflow.get_next_task(spec_name="work").data["hours"] = 1
    clock.advance(hours=1)
    tick(workflow)
    assert escalations(workflow) == 0
    assert timer_due_at(timer_task(workflow)) == ("duration", t0 + timedelta(hours=3))
    clock.advance(hours=2)
    tick(workflow)
    assert escalations(workflow) == 1


def test_serializer_round_trip_keeps_due_time(engine: PythonScriptEngine, clock: FakeClock) -> None:
    config = dict(SPIFF_CONFIG)
    config.update(clocked_serializer_config())
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    t0 = clock.now()
    workflow = start(engine, "PT4H")
    clock.advance(hours=2)
    tick(workflow)

    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    restored.script_engine = engine
    task = timer_task(restored)
    assert type(task.task_spec.event_definition) is ClockedDurationTimerEventDefinition
    assert timer_due_at(task) == ("duration", t0 + timedelta(hours=4))

    clock.advance(hours=2)
    tick(restored)
    assert escalations(restored) == 1
    assert restored.is_completed()


def test_cycle_serializer_round_trip(engine: PythonScriptEngine, clock: FakeClock) -> None:
    config = dict(SPIFF_CONFIG)
    config.update(clocked_serializer_config())
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    workflow = start(engine, "R2/PT1H", kind="timeCycle", cancel=False)
    clock.advance(hours=1)
    tick(workflow)
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    restored.script_engine = engine
    assert type(timer_task(restored).task_spec.event_definition) is ClockedCycleTimerEventDefinition
    clock.advance(hours=1)
    tick(restored)
    assert escalations(restored) == 2


@pytest.mark.parametrize(
    ("kind", "expr", "fragment"),
    [
        ("timeDuration", "P", "invalid ISO 8601 literal"),
        ("timeDuration", "PT", "invalid ISO 8601 literal"),
        ("timeDuration", "2026-12-01", "invalid ISO 8601 literal"),
        ("timeDate", "2026-13-45T08:00:00", "invalid ISO 8601 literal"),
        ("timeDate", "PT4H", "invalid ISO 8601 literal"),
        ("timeCycle", "R3/2026-12-01", "invalid ISO 8601 literal"),
        ("timeDuration", "iso_duration(hours=", "neither an ISO 8601 literal nor a Python expression"),
        ("timeDuration", "   ", "empty expression"),
    ],
)
def test_invalid_timer_rejected_at_parse_time(kind: str, expr: str, fragment: str) -> None:
    with pytest.raises(ValidationException) as caught:
        parse(expr, kind)
    assert caught.value.id == "sla"
    assert "Time Specification Error." in str(caught.value)
    assert fragment in str(caught.value)
    assert "'sla'" in str(caught.value)


def test_timer_due_at_is_none_before_waiting_and_for_other_tasks(engine: PythonScriptEngine) -> None:
    spec, subprocess_specs = parse("PT4H")
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
    assert all(timer_due_at(task) is None for task in workflow.get_tasks())
    workflow.do_engine_steps()
    assert timer_due_at(workflow.get_next_task(spec_name="work")) is None
    assert timer_due_at(timer_task(workflow)) is not None


def test_timer_expression_value_rejects_other_types(engine: PythonScriptEngine) -> None:
    workflow = start(engine, "PT4H")
    task = timer_task(workflow)
    task.data["limit"] = 42
    with pytest.raises(ValueError, match=r"timer 'sla' \('SLA'\).*limit.*42.*int"):
        timer_expression_value(task, "limit")
    task.data["when"] = datetime(2026, 12, 1, 8, 0)
    assert timer_expression_value(task, "when") == "2026-12-01T08:00:00+00:00"
    assert timer_expression_value(task, "  PT4H \n") == "PT4H"


def test_runtime_value_of_wrong_kind_names_the_timer(engine: PythonScriptEngine) -> None:
    with pytest.raises(ValueError, match=r"timer 'sla'.*bad value 'tomorrow'"):
        start(engine, "deadline", deadline="tomorrow")


def test_engine_without_clock_uses_real_time() -> None:
    before = datetime.now(UTC)
    workflow = start(PythonScriptEngine(), "PT1H")
    due_at = timer_due_at(timer_task(workflow))
    assert due_at is not None
    due = due_at[1]
    assert before + timedelta(hours=1) <= due <= datetime.now(UTC) + timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT4H", True),
        ("P2D", True),
        ("P1DT2H30M", True),
        ("PT0.5S", True),
        ("P1W", True),
        ("  PT4H\n", True),
        ("R3/PT1H", True),
        ("R/PT10M", True),
        ("R2/2026-12-01T08:00:00+08:00/PT1H", True),
        ("2026-12-01T08:00:00+08:00", True),
        ("2026-12-01T08:00:00Z", True),
        ("2026-12-01", True),
        ("deadline", False),
        ('"PT4H"', False),
        ("iso_duration(hours=limit_hours)", False),
        ("PT4X", False),
        ("", False),
    ],
)
def test_is_iso_literal(text: str, expected: bool) -> None:
    assert is_iso_literal(text) is expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=1), "PT1H"),
        (timedelta(days=1, hours=2, minutes=30), "P1DT2H30M"),
        (timedelta(days=2), "P2D"),
        (timedelta(seconds=0.5), "PT0.5S"),
        (timedelta(0), "PT0S"),
        (timedelta(minutes=1, seconds=5), "PT1M5S"),
    ],
)
def test_format_iso_duration(delta: timedelta, expected: str) -> None:
    assert format_iso_duration(delta) == expected


def test_parser_classes_only_wrap_event_parsers() -> None:
    original = SpiffBpmnParser.OVERRIDE_PARSER_CLASSES
    wrapped = GridcaseParser.OVERRIDE_PARSER_CLASSES
    assert wrapped.keys() == original.keys()
    for tag, (parser_cls, spec_cls) in wrapped.items():
        assert spec_cls is original[tag][1]
        assert issubclass(parser_cls, original[tag][0])
    assert clocked_parser_classes(wrapped) == wrapped
