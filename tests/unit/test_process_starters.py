"""Who may start a process, read from its BPMN (``engine.bpmn.starters``): Camunda's, Flowable's and gridcase's own
starter groups, the start form of the none start event, and the rule ``may_start`` applies to an account."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.lint import lint_sources
from engine.bpmn.form_files import form_references, version_digest
from engine.bpmn.starters import split_groups, start_settings
from engine.service.accounts import Principal
from engine.service.process_starts import may_start

HEAD = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:flowable="http://flowable.org/bpmn"'
        ' id="d" targetNamespace="t">')


def model(attributes: str = "", inside: str = "", start: str = "") -> dict[str, str]:
    return {"p.bpmn": f'{HEAD}<bpmn:process id="p" name="Permit" isExecutable="true" {attributes}>{inside}'
                      f'<bpmn:startEvent id="s">{start}</bpmn:startEvent></bpmn:process></bpmn:definitions>',
            "forms/x.json": "{}"}


def prop(name: str, value: str) -> str:
    return (f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="{name}"'
            f' value="{value}"/></spiffworkflow:properties></bpmn:extensionElements>')


@pytest.mark.parametrize(("attributes", "inside", "expected"), [
    ('camunda:candidateStarterGroups="seat_operator, shift_lead"', "", ("seat_operator", "shift_lead")),
    ('flowable:candidateStarterGroups="350602-D02"', "", ("350602-D02",)),
    ("", prop("candidateStarterGroups", "dispatcher,,supervisor "), ("dispatcher", "supervisor")),
    ('camunda:candidateStarterGroups="a,b"', prop("candidateStarterGroups", "b,c"), ("a", "b", "c")),
    ('camunda:candidateStarterGroups=""', "", ()),
    ("", "", None),
])
def test_starter_groups_come_from_each_tools_attribute_or_gridcases_property(attributes: str, inside: str,
                                                                             expected: tuple[str, ...] | None) -> None:
    assert start_settings(model(attributes, inside), "p").starter_groups == expected


def test_the_start_form_is_the_none_start_events_not_a_message_starts() -> None:
    form = prop("form", "forms/apply.json")
    settings = start_settings(model(start=form, inside="<bpmn:documentation> Apply here. </bpmn:documentation>"), "p")
    assert settings.form == "forms/apply.json" and settings.name == "Permit" and settings.description == "Apply here."
    message = '<bpmn:messageEventDefinition messageRef="m"/>'
    assert start_settings(model(start=form + message), "p").form is None
    assert form_references(model(start=form).values()) == {"forms/apply.json"}  # stored with the version


def test_a_process_not_in_the_sources_has_its_id_and_nothing_else() -> None:
    settings = start_settings({"broken.bpmn": "<not xml"}, "q")
    assert (settings.name, settings.starter_groups, settings.form) == ("q", None, None)


def test_starter_groups_change_the_versions_hash_only_when_named() -> None:
    plain = version_digest("{}", {})
    assert version_digest("{}", {}, None) == plain
    assert len({plain, version_digest("{}", {}, ()), version_digest("{}", {}, ("a",)),
                version_digest("{}", {}, ("b",))}) == 4


def test_split_groups_keeps_each_once_in_order() -> None:
    assert split_groups(["b, a", "a,c", " "]) == ("b", "a", "c")


@pytest.mark.parametrize(("who", "groups", "allowed"), [
    (Principal("s", "s", "seat_operator"), ("seat_operator",), True),
    (Principal("d", "d", "department_member", department="350602-D02"), ("350602-D02",), True),
    (Principal("d", "d", "department_member", department="C01"), ("350602-D02", "department_member"), True),
    (Principal("c", "c", "collector", district="350602"), ("collector:350602",), True),
    (Principal("c", "c", "collector", district="350603"), ("collector:350602",), False),
    (Principal("a", "a", "auditor"), ("seat_operator",), False),
    (Principal("s", "s", "seat_operator"), None, False),
    (Principal("s", "s", "seat_operator"), (), False),
    (Principal("a", "a", "admin"), None, True),
    (Principal("a", "a", "admin"), (), False),  # an empty list: started by its own command only
    (Principal("p", "p", "process_designer"), (), False),
    (Principal("p", "p", "process_designer"), ("seat_operator",), True),
])
def test_may_start(who: Principal, groups: tuple[str, ...] | None, allowed: bool) -> None:
    assert may_start(who, groups) is allowed


def test_lint_reads_another_modellers_starter_groups_and_checks_the_start_form(tmp_path: Path) -> None:
    files = model('camunda:candidateStarterGroups="a"', start=prop("form", "forms/apply.json"))
    found = [(p.element_id, p.severity, p.message) for p in lint_sources({"p.bpmn": files["p.bpmn"]},
                                                                           forms_dir=tmp_path)]
    assert not any("candidateStarterGroups" in message for _, _, message in found), found
    assert [(element, severity) for element, severity, message in found if "forms/apply.json" in message] == [
        ("s", "warning")]
    sent = lint_sources({"p.bpmn": files["p.bpmn"]}, forms={"forms/apply.json": '{"type": "object"}'})
    assert not [p for p in sent if "forms/apply.json" in p.message], sent  # sent with the deploy: found
    broken = lint_sources({"p.bpmn": files["p.bpmn"]}, forms={"forms/apply.json": "[1]"})
    assert [(p.element_id, p.severity) for p in broken if "forms/apply.json" in p.message] == [("s", "error")]
