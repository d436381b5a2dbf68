"""Task data nested deeper than MAX_DATA_DEPTH is refused before it is encoded (it could be written but never
restored): directly, through the memo, on the registry's path, and as the failed step of a task holding it (the
sandbox drops a script's variables nested past its own limit, so such data comes from elsewhere: a start or a
message payload sent past the commands' input limits)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task

from engine.bpmn.sandbox import GridcaseScriptEngine
from engine.bpmn.specs import GridcaseParser
from engine.bpmn.state import encode_task
from engine.bpmn.task_json import MAX_DATA_DEPTH, DataTooDeep, encode_data, registry_json
from engine.domain.clock import FakeClock
from engine.domain.errors import ScriptRejected
from engine.domain.input_limits import MAX_DEPTH


def nested(levels: int, leaf: Any = 1) -> list[Any]:
    """``levels`` lists inside each other around ``leaf``."""
    value: list[Any] = [leaf]
    for _ in range(levels - 1):
        value = [value]
    return value


def test_the_limit_leaves_room_for_command_input() -> None:
    assert MAX_DATA_DEPTH > 2 * MAX_DEPTH


@pytest.mark.parametrize("leaf", [1, datetime(2026, 1, 1)], ids=["native", "registry"])
def test_data_at_the_limit_is_encoded_and_one_more_level_is_refused(leaf: Any) -> None:
    fits = {"a": nested(MAX_DATA_DEPTH - 1, leaf)}  # the task data's dict is the first level
    assert encode_data(fits).text == registry_json(fits)
    for _ in range(2):  # the second time through the memo's path again: refused, not remembered
        with pytest.raises(DataTooDeep, match=f"more than {MAX_DATA_DEPTH} levels"):
            encode_data({"a": nested(MAX_DATA_DEPTH, leaf)})


def test_data_deeper_than_the_recursion_limit_is_refused_too() -> None:
    with pytest.raises(DataTooDeep):
        encode_data({"a": nested(5000)})
    with pytest.raises(DataTooDeep):
        encode_data({"a": nested(600, {1, 2})})  # a set: the registry's path


SCRIPT_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="deep" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="build" name="Build deep data"><bpmn:script>b = a</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="build"/>
    <bpmn:sequenceFlow id="f2" sourceRef="build" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _built(levels: int, clock: FakeClock) -> Task:
    """The script task after a step that started with ``levels`` lists inside each other as ``a``."""
    parser = GridcaseParser()
    parser.add_bpmn_str(SCRIPT_PROCESS.encode(), "deep.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("deep"), script_engine=GridcaseScriptEngine(clock))
    (start,) = [t for t in workflow.get_tasks() if t.task_spec.name == "Start"]
    start.data["a"] = nested(levels)
    workflow.do_engine_steps()
    (task,) = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "build"]
    return task


def test_a_step_whose_task_data_is_too_deep_fails_naming_the_task_and_the_nesting(clock: FakeClock) -> None:
    encode_task(_built(10, clock), "top")
    with pytest.raises(ScriptRejected, match="Build deep data: data nested more than") as refused:
        encode_task(_built(MAX_DATA_DEPTH + 5, clock), "top")
    assert refused.value.field == "data"
