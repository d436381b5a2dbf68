"""Flowable's ``.bpmn20.xml`` wherever ``.bpmn`` is (a case's diagram, ``gridcase process layout`` of a folder), and
``gridcase process deploy`` of a model from another folder with its forms in a ``forms/`` folder beside it; a form
found nowhere stops the deploy naming the task and the form, with nothing stored. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from api_support import Api
from invariants import rows, snapshot
from sqlalchemy.engine import Engine

from engine.domain import commands as c

GRIDCASE = Path(sys.executable).with_name("gridcase")
FORMED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <process id="{pid}" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fill_notice"/>
    <userTask id="fill_notice" name="Fill the notice">
      <extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="clerks"/>
        <spiffworkflow:property name="form" value="forms/{form}.json"/>
      </spiffworkflow:properties></extensionElements>
    </userTask>
    <sequenceFlow id="f2" sourceRef="fill_notice" targetRef="done"/>
    <endEvent id="done"/>
  </process>
</definitions>
"""
FORM = {"type": "object", "required": ["notice"], "properties": {"notice": {"type": "string", "title": "通知"}}}


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"}
    return subprocess.run([str(GRIDCASE), "--database-url", url, *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_case_of_a_flowable_file_shows_its_diagram(api: Api) -> None:
    pid = f"flow_{uuid.uuid4().hex[:8]}"
    text = FORMED.format(pid=pid, form="none").replace(
        '<spiffworkflow:property name="form" value="forms/none.json"/>', "")
    api.bus.handle(c.DeployProcesses({f"{pid}.bpmn20.xml": text}, "designer"))
    ref = api.bus.handle(c.StartCase(pid, {}, "seat01"))
    assert ref.case_no
    shown = api.get(f"/cases/{ref.case_no}/diagram", "supervisor01")
    assert shown.status_code == 200, shown.json
    assert shown.json["bpmn"] == text and shown.json["active"] == ["fill_notice"]


def test_the_cli_deploys_the_forms_beside_a_model_from_another_folder(
        db_url_engine: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = db_url_engine
    pid, form = f"formed_{uuid.uuid4().hex[:8]}", f"notice_{uuid.uuid4().hex[:6]}"
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / f"{form}.json").write_text(json.dumps(FORM), encoding="utf-8")
    (tmp_path / f"{pid}.bpmn20.xml").write_text(FORMED.format(pid=pid, form=form), encoding="utf-8")
    done = _cli(url, "process", "deploy", str(tmp_path / f"{pid}.bpmn20.xml"))
    assert done.returncode == 0, done.stderr
    [version] = rows(engine, "SELECT sources FROM process_versions WHERE process_id = :p", p=pid)
    sources = version.sources if isinstance(version.sources, dict) else json.loads(version.sources)
    assert json.loads(sources[f"forms/{form}.json"]) == FORM  # stored with the version
    again = _cli(url, "process", "deploy", str(tmp_path))  # the folder: the same version
    assert again.returncode == 0 and "unchanged" in again.stdout, again.stderr


def test_a_form_found_nowhere_stops_the_cli_deploy_naming_task_and_form(
        db_url_engine: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = db_url_engine
    pid = f"formed_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{pid}.bpmn").write_text(FORMED.format(pid=pid, form="nowhere_to_be_found"), encoding="utf-8")
    before = snapshot(engine)
    done = _cli(url, "process", "deploy", str(tmp_path))
    assert done.returncode != 0
    assert "task fill_notice names the form 'forms/nowhere_to_be_found.json'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(engine) == before


def test_layout_of_a_folder_draws_its_flowable_files_too(tmp_path: Path) -> None:
    pid = f"flow_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{pid}.bpmn20.xml").write_text(FORMED.format(pid=pid, form="x"), encoding="utf-8")
    done = subprocess.run([str(GRIDCASE), "process", "layout", "--check", str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and f"{pid}.bpmn20.xml: diagram missing" in done.stdout, done.stdout + done.stderr
    drawn = subprocess.run([str(GRIDCASE), "process", "layout", str(tmp_path)], capture_output=True, text=True,
                           timeout=120)
    assert drawn.returncode == 0 and "bpmndi:BPMNDiagram" in (tmp_path / f"{pid}.bpmn20.xml").read_text()
