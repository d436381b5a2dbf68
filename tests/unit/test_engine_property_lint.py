"""Lint of the values the properties panel sets beyond people's tasks (designer/engine_lint.py): a service task's
retries, back-off and http call, the error, signal or escalation an event names, a process's starter groups — each
problem once, on its element, naming the property and the value."""

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


def test_good_service_task_values_are_clean() -> None:
    assert findings(service({"retries": "0", "retryBackoff": "PT5M"})) == []
    assert service_task_problems({"connector": "http", "httpUrl": "https://lights.example/api/{case_no}/{grid}",
                                  "httpMethod": "PATCH", "httpBody": '{"case": case_no, "n": len(items)}',
                                  "httpResult": "contractor_reply", "httpTimeout": "7.5"}) == []


@pytest.mark.parametrize(("values", "named"), [
    ({"retries": "-1"}, "retries '-1'"), ({"retries": "three"}, "retries 'three'"), ({"retries": "2.5"}, "retries"),
    ({"retryBackoff": "5 minutes"}, "retryBackoff '5 minutes'"), ({"retryBackoff": "P"}, "retryBackoff 'P'")])
def test_a_bad_retry_value_is_one_error_on_its_task_naming_it(values: dict[str, str], named: str) -> None:
    ((element, severity, message),) = findings(service(values))
    assert (element, severity) == ("t", "error") and named in message


@pytest.mark.parametrize(("values", "named"), [
    ({"httpUrl": "ftp://lights.example/x"}, "must start with http:// or https://"),
    ({"httpUrl": "https://lights.example/{case no}"}, "placeholders are {name}"),
    ({"httpUrl": "https://lights.example/{case_no"}, "placeholders are {name}"),
    ({"httpMethod": "FETCH"}, "httpMethod 'FETCH'"), ({"httpTimeout": "0"}, "httpTimeout '0'"),
    ({"httpTimeout": "61"}, "httpTimeout '61'"), ({"httpTimeout": "soon"}, "httpTimeout 'soon'"),
    ({"httpResult": "reply.body"}, "httpResult 'reply.body'"), ({"httpResult": "class"}, "httpResult 'class'"),
    ({"httpBody": "{'a': "}, "httpBody refused"), ({"httpBody": "__import__('os')"}, "httpBody refused")])
def test_a_bad_http_value_is_named(values: dict[str, str], named: str) -> None:
    ((severity, message),) = service_task_problems({"connector": "http", "httpUrl": "https://h/x", **values})
    assert severity == "error" and named in message


def test_http_properties_without_the_http_connector_are_a_warning() -> None:
    assert service_task_problems({"httpUrl": "https://h/x", "httpMethod": "POST"}) == [
        ("warning", "httpUrl, httpMethod ignored: the http properties are read only with connector http")]


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
