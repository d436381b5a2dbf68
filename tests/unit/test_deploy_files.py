"""What ``gridcase process deploy`` reads from disk: BPMN files by one rule (``.bpmn`` and Flowable's
``.bpmn20.xml``), the forms beside each model, a conflict between two folders' forms of one name, and the tasks
whose form is found nowhere (named with the form)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.foreign import bpmn_files_in, first_bpmn
from engine.domain.errors import InvalidCommand
from engine.service.deploy import missing_forms, read_deploy_files, read_sources

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <process id="{pid}" isExecutable="true">
    <startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="{task}"/>
    <userTask id="{task}"><extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="form" value="forms/{form}.json"/>
    </spiffworkflow:properties></extensionElements></userTask>
    <sequenceFlow id="f2" sourceRef="{task}" targetRef="end"/><endEvent id="end"/>
  </process>
</definitions>
"""


def folder(root: Path, name: str, pid: str, form: str, form_text: str | None = '{"type": "object"}',
           suffix: str = ".bpmn") -> Path:
    where = root / name
    (where / "forms").mkdir(parents=True)
    (where / f"{pid}{suffix}").write_text(MODEL.format(pid=pid, task=f"fill_{pid}", form=form), encoding="utf-8")
    if form_text is not None:
        (where / "forms" / f"{form}.json").write_text(form_text, encoding="utf-8")
    return where


def test_bpmn_files_are_bpmn_and_bpmn20_xml(tmp_path: Path) -> None:
    for name in ("b.bpmn20.xml", "a.bpmn", "c.dmn", "d.xml", "e.bpmn.bak"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in bpmn_files_in(tmp_path)] == ["a.bpmn", "b.bpmn20.xml"]
    assert first_bpmn({"forms/x.json": "{}", "r.dmn": "d", "p.bpmn20.xml": "flowable"}) == "flowable"
    assert first_bpmn({"r.dmn": "d"}) is None


def test_the_forms_beside_each_model_come_along(tmp_path: Path) -> None:
    one = folder(tmp_path, "one", "p1", "notice", suffix=".bpmn20.xml")
    two = folder(tmp_path, "two", "p2", "permit")
    files = read_deploy_files([one, two / "p2.bpmn"])
    assert sorted(files) == ["forms/notice.json", "forms/permit.json", "p1.bpmn20.xml", "p2.bpmn"]
    assert sorted(read_sources([one, two])) == ["p1.bpmn20.xml", "p2.bpmn"]  # models only, as before
    assert missing_forms(files) == []


def test_two_folders_with_different_forms_of_one_name_are_refused(tmp_path: Path) -> None:
    one = folder(tmp_path, "one", "p1", "notice")
    two = folder(tmp_path, "two", "p2", "notice", form_text='{"type": "object", "title": "other"}')
    with pytest.raises(InvalidCommand, match=r"forms/notice.json differs between"):
        read_deploy_files([one, two])
    same = folder(tmp_path, "three", "p3", "notice")
    assert "forms/notice.json" in read_deploy_files([one, same])  # the same text twice is one form


def test_a_form_found_nowhere_names_the_task_and_the_form(tmp_path: Path) -> None:
    lonely = folder(tmp_path, "lonely", "p4", "nowhere", form_text=None)
    [line] = missing_forms(read_deploy_files([lonely]), tmp_path / "no_workflows")
    assert line.startswith("p4.bpmn: task fill_p4 names the form 'forms/nowhere.json', found neither beside p4.bpmn")
