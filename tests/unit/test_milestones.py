"""Milestones: declared by the model's tasks (property ``milestone``), read from the deployed spec as BPMN id →
milestone, and linted: a process that declares any is a case lifecycle and must declare every required one."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from city.facts.model import role_doers
from designer.lint import lint_sources
from engine.bpmn.specs import parse_bundles, restore_spec
from engine.domain import events as ev
from engine.domain import milestones as m
from engine.domain.views import StepRecord
from engine.service.deploy import read_sources

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = {"register_report": "reported", "verify_report": "verified", "file_or_void": "filed",
             "confirm_dispatch": "dispatched", "dispose_problem": "disposed", "check_on_site": "checked",
             "close_case": "closed", "resume_disposal": "suspended"}
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">')


def task(element_id: str, milestone: str | None, tag: str = "userTask") -> str:
    props = f'<spiffworkflow:property name="milestone" value="{milestone}"/>' if milestone is not None else ""
    group = '<spiffworkflow:property name="candidateGroups" value="clerk"/>' if tag == "userTask" else ""
    body = "<bpmn:script>x = 1</bpmn:script>" if tag == "scriptTask" else ""
    return (f'<bpmn:{tag} id="{element_id}"><bpmn:extensionElements><spiffworkflow:properties>{group}{props}'
            f"</spiffworkflow:properties></bpmn:extensionElements>{body}</bpmn:{tag}>")


def process(*tasks: tuple[str, str | None, str]) -> dict[str, str]:
    """One process, its tasks in a row between a start and an end event."""
    ids = ["s", *(t[0] for t in tasks), "e"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(pairwise(ids)))
    body = "".join(task(*t) for t in tasks)
    return {"p.bpmn": f'{HEAD}<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>{body}{flows}'
                      "<bpmn:endEvent id=\"e\"/></bpmn:process></bpmn:definitions>"}


def complete_lifecycle() -> list[tuple[str, str | None, str]]:
    return [("t_" + name, name, "scriptTask" if name == m.REPORTED else "userTask") for name in m.REQUIRED]


def test_the_deployed_lifecycle_declares_its_milestones() -> None:
    bundles = parse_bundles(read_sources([ROOT / "workflows", ROOT / "rules"]))
    (bundle,) = [b for b in bundles if b.process_id == "case_lifecycle"]
    loaded = restore_spec(1, bundle.process_id, bundle.spec_json)
    assert loaded.milestones == dict(sorted(LIFECYCLE.items()))  # dispose_problem is inside the disposal subprocess
    assert set(loaded.milestones.values()) == set(m.MILESTONES)


def test_a_process_without_milestones_has_an_empty_map_and_is_no_lifecycle() -> None:
    files = process(("a", None, "userTask"))
    (bundle,) = parse_bundles(files)
    assert restore_spec(1, "p", bundle.spec_json).milestones == {}
    assert lint_sources(files) == []


def test_the_domain_reads_steps_by_milestone() -> None:
    renamed = {f"x{i}": name for i, name in enumerate(LIFECYCLE.values())}
    check, close, resume = (m.step_of(renamed, name) for name in (m.CHECKED, m.CLOSED, m.SUSPENDED))
    assert m.steps_of(renamed, *m.AFTER_DISPOSAL) == {check, close}
    assert m.deadline_paused([close, None, "unknown"], renamed) and not m.deadline_paused([resume], renamed)
    assert m.suspended([resume], renamed) and not m.suspended([check], renamed)
    assert m.step_of(renamed, "nothing") is None
    due, warn, now = (datetime(2026, 11, 2, hour, tzinfo=UTC) for hour in (3, 2, 1))
    assert m.deadline_light(due, warn, now, ready=["other"], milestones=renamed, ended=False) == "green"
    assert m.deadline_light(due, warn, now, ready=[resume], milestones=renamed, ended=False) == "grey"
    assert m.deadline_light(due, warn, now, ready=iter([check]), milestones=renamed, ended=False) is None
    assert m.deadline_light(due, warn, now, ready=[], milestones=renamed, ended=True) is None
    assert m.merged({"a": m.CHECKED}, {"a": m.CLOSED, "b": m.FILED}) == {"a": m.CLOSED, "b": m.FILED}


def test_the_doers_are_found_by_milestone() -> None:
    declared = {"v": m.VERIFIED, "d": m.DISPATCHED, "c": m.CHECKED, "x": m.CLOSED}
    records = [StepRecord(ev.TASK_COMPLETED, "1", "v"), StepRecord(ev.TASK_READY, "2", "d"),
               StepRecord(ev.TASK_COMPLETED, "3", "x"), StepRecord(ev.DATA_CHANGED)]
    assert role_doers(records, declared, "ann") == {"verifier": "ann"}
    assert role_doers([StepRecord(ev.TASK_COMPLETED, "4", "verify_report")], {}, "ann") == {}  # no id is special


def test_a_complete_lifecycle_lints_clean() -> None:
    assert lint_sources(process(*complete_lifecycle())) == []


@pytest.mark.parametrize("missing", m.REQUIRED)
def test_a_lifecycle_without_a_required_milestone_is_refused_by_name(missing: str) -> None:
    tasks = [t if t[1] != missing else (t[0], None, t[2]) for t in complete_lifecycle()]
    (problem,) = lint_sources(process(*tasks))
    assert (problem.element_id, problem.severity) == ("p", "error")
    assert f"milestone {missing!r}" in problem.message and "case lifecycle" in problem.message
    assert f"milestone={missing}" in problem.message


def test_suspension_is_optional_but_its_value_and_place_are_checked() -> None:
    assert lint_sources(process(*complete_lifecycle(), ("resume", m.SUSPENDED, "userTask"))) == []
    problems = lint_sources(process(*complete_lifecycle(), ("typo", "dispached", "userTask"),
                                    ("auto", m.CHECKED, "scriptTask")))
    assert [(p.element_id, p.severity) for p in problems] == [("auto", "error"), ("typo", "error")]
    assert "unknown milestone 'dispached'" in problems[1].message and "dispatched" in problems[1].message
    assert "user or manual task" in problems[0].message
