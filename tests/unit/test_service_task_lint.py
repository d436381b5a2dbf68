"""Lint and deploy of service tasks: a topic makes one an external-worker job; without one it is refused by name."""

from __future__ import annotations

import pytest

from designer.lint import lint_sources
from engine.bpmn.specs import parse_bundles
from engine.domain.errors import ProcessInvalid

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>')
TAIL = ('<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/><bpmn:endEvent id="e"/>'
        '</bpmn:process></bpmn:definitions>')
PROPERTY = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="topic" value="t1"/>'
            '</spiffworkflow:properties></bpmn:extensionElements>')


def model(task: str) -> dict[str, str]:
    return {"m.bpmn": HEAD + task + TAIL}


def errors(task: str) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.message) for p in lint_sources(model(task)) if p.severity == "error"]


@pytest.mark.parametrize("task", [
    '<bpmn:serviceTask id="call" camunda:type="external" camunda:topic="t1"/>',
    f'<bpmn:serviceTask id="call">{PROPERTY}</bpmn:serviceTask>',
    '<bpmn:serviceTask id="call"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="t1"/>'
    '</bpmn:extensionElements></bpmn:serviceTask>',
])
def test_a_service_task_with_a_topic_lints_clean_and_deploys(task: str) -> None:
    assert errors(task) == []
    assert not [p for p in lint_sources(model(task)) if "ignored by gridcase" in p.message]
    (bundle,) = parse_bundles(model(task))
    assert '"operation_name":"t1"' in bundle.spec_json and "ExternalServiceTask" in bundle.spec_json


@pytest.mark.parametrize(("task", "words"), [
    ('<bpmn:serviceTask id="call"/>', "without a topic"),
    ('<bpmn:serviceTask id="call" camunda:class="org.example.Charge"/>', "camunda:class cannot run"),
    ('<bpmn:serviceTask id="call" camunda:type="connector" camunda:topic="t1"/>', 'camunda:type="connector"'),
])
def test_a_service_task_without_a_topic_is_refused_naming_it(task: str, words: str) -> None:
    ((element, message),) = errors(task)
    assert element == "call" and words in message
    with pytest.raises(ProcessInvalid, match="call"):
        parse_bundles(model(task))
