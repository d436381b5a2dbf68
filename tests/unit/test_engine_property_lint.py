"""Lint of the values the properties panel sets beyond people's tasks (designer/engine_lint.py): the error, signal or
escalation an event names, a process's starter groups, http properties without the http connector — each problem
once, on its element, naming the property or the reference; a service task's retries and http call stay the deploy's
own checks (designer/service_tasks.py), never reported twice."""

from __future__ import annotations

from itertools import pairwise

import pytest

from designer.engine_lint import service_task_problems
from designer.lint import lint_sources

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">')


def properties(values: dict[str, str]) -> str:
    props = "".join(f'<spiffworkflow:property name="{n}" value="{v}"/>' for n, v in values.items())
    return (f"<bpmn:extensionElements><spiffworkflow:properties>{props}</spiffworkflow:properties>"
            "</bpmn:extensionElements>")


def process(body: str, roots: str = "", start: str = '<bpmn:startEvent id="s"/>', ext: str = "") -> dict[str, str]:
    """One process: ``start`` → ``body``'s element ``t`` (when given) → the end event ``e``."""
    path = ["s", "t", "e"] if body else ["s", "e"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(pairwise(path)))
    return {"p.bpmn": f'{HEAD}{roots}<bpmn:process id="p" isExecutable="true">{ext}{start}{body}{flows}'
                      '<bpmn:endEvent id="e"/>'
                      "</bpmn:process></bpmn:definitions>"}


def service(values: dict[str, str]) -> dict[str, str]:
    return process(f'<bpmn:serviceTask id="t">{properties({"topic": "lights", **values})}</bpmn:serviceTask>')


def findings(files: dict[str, str]) -> list[tuple[str | None, str, str]]:
    return [(p.element_id, p.severity, p.message) for p in lint_sources(files)]


@pytest.mark.parametrize("values", [
    {"retries": "-1"}, {"retries": "²"}, {"retryBackoff": "5 minutes"},
    {"connector": "http", "httpUrl": "ftp://lights.example/x"}, {"connector": "http", "httpUrl": "https://h/{a b}"},
    {"connector": "http", "httpUrl": "https://h/x", "httpTimeout": "61"},
    {"connector": "http", "httpUrl": "https://h/x", "httpMethod": "POST", "httpBody": "__import__('os')"}])
def test_a_service_task_value_the_deploy_checks_is_not_reported_twice(values: dict[str, str]) -> None:
    assert service_task_problems({"topic": "lights", **values}) == []  # designer.service_tasks' rule, as the deploy
    assert len([f for f in findings(service(values)) if f[0] == "t"]) <= 1


def test_http_properties_without_the_http_connector_are_a_warning() -> None:
    assert service_task_problems({"httpUrl": "https://h/x", "httpMethod": "POST"}) == [
        ("warning", "httpUrl, httpMethod ignored: the http properties are read only with connector http")]
    ((element, severity, message),) = findings(service({"httpTimeout": "5"}))
    assert (element, severity) == ("t", "warning") and message.startswith("httpTimeout ignored")


def boundary(definition: str) -> str:
    return (f'<bpmn:boundaryEvent id="b" attachedToRef="t">{definition}</bpmn:boundaryEvent>'
            '<bpmn:sequenceFlow id="fb" sourceRef="b" targetRef="e"/>')


def end_event(definition: str, roots: str = "") -> dict[str, str]:
    """s → e, e an end event holding ``definition``."""
    return {"p.bpmn": f'{HEAD}{roots}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
                      f'<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e">{definition}'
                      "</bpmn:endEvent></bpmn:process></bpmn:definitions>"}


@pytest.mark.parametrize(("definition", "roots", "named"), [
    ("<bpmn:errorEventDefinition/>", "", "names no error"),
    ('<bpmn:errorEventDefinition errorRef="late"/>', '<bpmn:error id="late" name="Late"/>', "'late' has no errorCode"),
    ('<bpmn:errorEventDefinition errorRef="gone"/>', "", "error 'gone' is not defined"),
    ("<bpmn:signalEventDefinition/>", "", "names no signal"),
    ('<bpmn:signalEventDefinition signalRef="gone"/>', "", "signal 'gone' is not defined"),
    ('<bpmn:signalEventDefinition signalRef="sg"/>', '<bpmn:signal id="sg"/>', "signal 'sg' has no name"),
    ("<bpmn:escalationEventDefinition/>", "", "names no escalation"),
    ('<bpmn:escalationEventDefinition escalationRef="up"/>', '<bpmn:escalation id="up" name="Up"/>',
     "'up' has no escalationCode")])
def test_a_thrown_event_without_what_it_throws_is_one_error(definition: str, roots: str, named: str) -> None:
    ((element, severity, message),) = findings(end_event(definition, roots))  # the engine's own text is not repeated
    assert (element, severity) == ("e", "error") and named in message


@pytest.mark.parametrize(("definition", "roots"), [
    ('<bpmn:errorEventDefinition errorRef="late"/>', '<bpmn:error id="late" name="Late" errorCode="LATE"/>'),
    ('<bpmn:signalEventDefinition signalRef="sg"/>', '<bpmn:signal id="sg" name="lights_out"/>'),
    ('<bpmn:escalationEventDefinition escalationRef="up"/>',
     '<bpmn:escalation id="up" name="Up" escalationCode="UP"/>')])
def test_a_thrown_event_with_a_coded_reference_is_clean(definition: str, roots: str) -> None:
    assert [f for f in findings(end_event(definition, roots)) if f[0] == "e"] == []


def test_an_error_boundary_catches_every_error_without_a_code_and_says_so_when_it_names_one() -> None:
    task = '<bpmn:task id="t"/>'
    assert findings(process(task + boundary("<bpmn:errorEventDefinition/>"))) == []  # the catch-all, on purpose
    ((element, severity, message),) = findings(process(
        task + boundary('<bpmn:errorEventDefinition errorRef="late"/>'), '<bpmn:error id="late" name="Late"/>'))
    assert (element, severity) == ("b", "warning") and "catches every error, not only 'Late'" in message


def test_a_signal_catch_without_a_signal_is_an_error() -> None:
    ((element, severity, message),) = findings(process("", start='<bpmn:startEvent id="s"><bpmn:signalEventDefinition/>'
                                                                  "</bpmn:startEvent>"))
    assert (element, severity) == ("s", "error") and "names no signal" in message


def test_starter_groups_that_name_nobody_are_a_warning_on_the_process() -> None:
    assert findings(process("", ext=properties({"candidateStarterGroups": "shift_lead, seat_operator"}))) == []
    ((element, severity, message),) = findings(process("", ext=properties({"candidateStarterGroups": " , "})))
    assert (element, severity) == ("p", "warning") and "names no group" in message
    # an empty value on purpose: the process is started by its own command only (no finding)
    assert findings(process("", ext=properties({"candidateStarterGroups": ""}))) == []
