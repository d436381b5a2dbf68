"""Deploy-time refusals: what gridcase cannot run is named element by element and nothing deploys."""

from __future__ import annotations

import pytest

from engine.bpmn.specs import parse_bundles
from engine.domain.errors import ProcessInvalid

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">')


def _process(body: str, extra: str = "") -> dict[str, str]:
    return {"p.bpmn": f'{HEAD}{extra}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process>'
                      "</bpmn:definitions>"}


def _script(script: str) -> dict[str, str]:
    return _process('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="run_script"/>'
                    f'<bpmn:scriptTask id="run_script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
                    '<bpmn:sequenceFlow id="f2" sourceRef="run_script" targetRef="e"/><bpmn:endEvent id="e"/>')


@pytest.mark.parametrize(("script", "reason"), [
    ("import os", "import"),
    ("x = ().__class__", "__class__"),
    ("x = (", "SyntaxError"),
])
def test_a_script_the_sandbox_refuses_is_not_deployed(script: str, reason: str) -> None:
    with pytest.raises(ProcessInvalid) as refused:
        parse_bundles(_script(script))
    assert "p.bpmn" in refused.value.message and "run_script: script refused" in refused.value.message
    assert reason in refused.value.message


def test_a_safe_script_deploys() -> None:
    (bundle,) = parse_bundles(_script("total = len([1, 2]) + 1"))
    assert bundle.process_id == "p"


def test_a_refused_gateway_condition_names_the_gateway() -> None:
    files = _process(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="choose"/>'
        '<bpmn:exclusiveGateway id="choose" default="f3"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="e">'
        '<bpmn:conditionExpression>x.__dict__</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f3" sourceRef="choose" targetRef="e"/><bpmn:endEvent id="e"/>')
    with pytest.raises(ProcessInvalid, match="choose: condition refused"):
        parse_bundles(files)


def test_an_event_based_gateway_is_refused_with_a_way_out() -> None:
    files = _process(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_either"/>'
        '<bpmn:eventBasedGateway id="wait_either"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="wait_either" targetRef="reply"/>'
        '<bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="m"/>'
        '</bpmn:intermediateCatchEvent>'
        '<bpmn:sequenceFlow id="f3" sourceRef="wait_either" targetRef="timeout"/>'
        '<bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        '<bpmn:sequenceFlow id="f4" sourceRef="reply" targetRef="e"/>'
        '<bpmn:sequenceFlow id="f5" sourceRef="timeout" targetRef="e"/><bpmn:endEvent id="e"/>',
        extra='<bpmn:message id="m" name="reply_received"/>')
    with pytest.raises(ProcessInvalid, match="wait_either: event-based gateways are not supported"):
        parse_bundles(files)
