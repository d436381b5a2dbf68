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


def _event_gateway(second_branch: str) -> dict[str, str]:
    return _process(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_either"/>'
        '<bpmn:eventBasedGateway id="wait_either"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="wait_either" targetRef="reply"/>'
        f'{second_branch}'
        '<bpmn:sequenceFlow id="f3" sourceRef="wait_either" targetRef="timeout"/>'
        '<bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        '<bpmn:sequenceFlow id="f4" sourceRef="reply" targetRef="e"/>'
        '<bpmn:sequenceFlow id="f5" sourceRef="timeout" targetRef="e"/><bpmn:endEvent id="e"/>',
        extra='<bpmn:message id="m" name="reply_received"/>')


def test_an_event_based_gateway_with_a_message_and_a_timer_deploys() -> None:
    files = _event_gateway('<bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="m"/>'
                           '</bpmn:intermediateCatchEvent>')
    (bundle,) = parse_bundles(files)
    assert bundle.process_id == "p"


def test_an_event_based_gateway_with_two_timers_is_refused_naming_it() -> None:
    files = _event_gateway('<bpmn:intermediateCatchEvent id="reply"><bpmn:timerEventDefinition>'
                           '<bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>'
                           '</bpmn:intermediateCatchEvent>')
    with pytest.raises(ProcessInvalid, match="wait_either: an event-based gateway may wait for one timer only"):
        parse_bundles(files)


def _timer_start(expression: str) -> dict[str, str]:
    return _process(f'<bpmn:startEvent id="every_month"><bpmn:timerEventDefinition><bpmn:timeCycle>{expression}'
                    '</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>'
                    '<bpmn:sequenceFlow id="f1" sourceRef="every_month" targetRef="e"/><bpmn:endEvent id="e"/>')


def test_a_timer_start_event_deploys_with_a_literal_and_is_listed_as_a_start() -> None:
    (bundle,) = parse_bundles(_timer_start("R/2027-01-01T08:00:00+08:00/P1M"))
    assert bundle.message_starts == ["timer:every_month"]


def test_a_timer_start_event_computed_from_case_data_is_refused_naming_it() -> None:
    with pytest.raises(ProcessInvalid, match="every_month: a timer start event needs an ISO 8601 literal"):
        parse_bundles(_timer_start("'R/%s/P1M' % start"))
