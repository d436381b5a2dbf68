"""Task forms are deployed with the process version and read from it (issue 15 item 5).

A one-task process ``formed`` names ``forms/fill.json``; the workflows folder of the bus is ``tmp_path``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.forms import FieldsRejected
from engine.persistence.repositories.versions import version_sources
from engine.service.bus import MessageBus
from engine.service.migration import migrate_cases, plan_migration
from web.api.processes import _file_diff

Sql = Callable[..., list[sa.Row]]
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">
  <bpmn:process id="formed" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill"/>
    <bpmn:userTask id="fill" name="Fill">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="workers"/>
        <spiffworkflow:property name="form" value="forms/fill.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>
"""


def form(required: str, **extra: Any) -> str:
    """A form with one required string field ``required`` (and ``extra`` properties)."""
    return json.dumps({"type": "object", "required": [required],
                       "properties": {required: {"type": "string"}, **extra}}, indent=2)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "fill.json").write_text(form("a"), encoding="utf-8")
    return tmp_path


@pytest.fixture
def bus(make_bus: Callable[..., MessageBus], folder: Path) -> MessageBus:
    return make_bus(FakeClock(), workflows_dir=folder, verify_state=True)


def deploy(bus: MessageBus, folder: Path, **forms: str) -> tuple[int, int, bool]:
    """Deploy ``formed`` (forms sent as ``forms/<key>.json``); (version id, number, created)."""
    files = {"formed.bpmn": BPMN, **{f"forms/{name}.json": text for name, text in forms.items()}}
    (result,) = bus.handle(c.DeployProcesses(files, "tests", forms_dir=folder))
    return result.version_id, result.number, result.created


def ready_task(sql: Sql, case_id: int) -> sa.Row:
    (task,) = sql("SELECT id, process_version_id FROM human_tasks WHERE case_id = :id AND state = 'ready'",
                  id=case_id)
    return task


def test_deploy_stores_the_forms_and_a_form_only_change_makes_a_new_version(bus: MessageBus, folder: Path) -> None:
    first, number, created = deploy(bus, folder)
    assert created
    with bus.deps.uow(read_only=True) as uow:
        found = version_sources(uow.store, first)
    assert found is not None and json.loads(found[4]["forms/fill.json"])["required"] == ["a"]
    assert deploy(bus, folder)[2] is False  # the same model and forms: unchanged, not redeployed
    assert deploy(bus, folder, fill=json.dumps(json.loads(form("a"))))[2] is False  # re-indented: the same form
    second, second_number, created = deploy(bus, folder, fill=form("b"))  # sent with the deploy
    assert created and second_number == number + 1 and second != first


def test_editing_the_folder_after_deploy_does_not_change_a_running_task(
        bus: MessageBus, make_bus: Callable[..., MessageBus], folder: Path, sql: Sql) -> None:
    deploy(bus, folder)
    case = bus.handle(c.StartCase("formed", {}, "tests"))
    (folder / "forms" / "fill.json").write_text(form("b"), encoding="utf-8")  # edited without a deploy
    fresh = make_bus(FakeClock(), workflows_dir=folder)  # no cache: what a restarted server reads
    task = ready_task(sql, case.case_id)
    with pytest.raises(FieldsRejected) as refused:
        fresh.handle(c.CompleteHumanTask(task.id, {"b": "x"}, "worker"))
    assert "a" in refused.value.fields  # the deployed form, not the edited file
    fresh.handle(c.CompleteHumanTask(task.id, {"a": "x"}, "worker"))


def test_a_migrated_case_takes_the_new_form_and_its_data_stays(bus: MessageBus, folder: Path, sql: Sql) -> None:
    deploy(bus, folder)
    case = bus.handle(c.StartCase("formed", {"kept": 1}, "tests"))
    _, number, _ = deploy(bus, folder, fill=form("b", level={"type": "string", "enum": ["x", "y"]}))
    (plan,) = plan_migration(bus.deps, "formed", number)
    assert plan.safe
    assert plan.form_changes == ("fill: form forms/fill.json changed: fields added: b, level; removed: a",)
    (moved,) = migrate_cases(bus, "formed", number, "designer")
    assert moved.migrated and moved.form_changes == plan.form_changes
    task = ready_task(sql, case.case_id)
    with pytest.raises(FieldsRejected) as refused:
        bus.handle(c.CompleteHumanTask(task.id, {"a": "x"}, "worker"))  # the old form's data: checked anew
    assert "b" in refused.value.fields
    bus.handle(c.CompleteHumanTask(task.id, {"b": "x", "level": "y"}, "worker"))
    (row,) = sql("SELECT status FROM cases WHERE id = :id", id=case.case_id)
    assert row.status == "completed"


def test_a_version_without_stored_forms_reads_the_folder(bus: MessageBus, folder: Path, sql: Sql,
                                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.mktemp("no-forms")
    (result,) = bus.handle(c.DeployProcesses({"formed.bpmn": BPMN}, "tests", forms_dir=empty))  # a warning only
    with bus.deps.uow(read_only=True) as uow:
        found = version_sources(uow.store, result.version_id)
    assert found is not None and list(found[4]) == ["formed.bpmn"]
    case = bus.handle(c.StartCase("formed", {}, "tests"))
    with pytest.raises(FieldsRejected):
        bus.handle(c.CompleteHumanTask(ready_task(sql, case.case_id).id, {}, "worker"))  # the folder's form


def test_an_invalid_form_sent_with_the_deploy_is_refused_and_nothing_is_stored(bus: MessageBus, folder: Path,
                                                                               sql: Sql) -> None:
    from engine.domain.errors import ProcessInvalid

    with pytest.raises(ProcessInvalid) as refused:
        deploy(bus, folder, fill='{"type": "objekt"}')
    assert any(p["file"] == "forms/fill.json" for p in refused.value.problems)  # type: ignore[attr-defined]
    assert sql("SELECT id FROM process_versions WHERE process_id = 'formed'") == []


def test_the_version_diff_lists_a_changed_form_field_by_field() -> None:
    entry = _file_diff("forms/fill.json", form("a", n={"type": "string"}),
                       form("a", n={"type": "integer"}, m={"type": "string"}))
    assert entry["kind"] == "form" and entry["status"] == "changed"
    assert entry["diff"] == {"added": ["m"], "removed": [],
                             "changed": [{"field": "n", "changes": ["type string → integer"]}]}
    assert entry["summary"] == "fields added: m; changed: n (type string → integer)"
