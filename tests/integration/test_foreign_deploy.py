"""Models from other tools on SQLite and PostgreSQL: Flowable's .bpmn20.xml files deploy through the CLI and the
API like .bpmn files, a Camunda JUEL gateway runs as the Python it was translated to, and a refused model is
explained (which element, what to do) with nothing stored."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from api_support import Api, error_of
from invariants import rows, snapshot
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock

GRIDCASE = Path(sys.executable).with_name("gridcase")
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "foreign_models"
FLOWABLE = ("flowable_one_task.bpmn20.xml", "flowable_financial_report.bpmn20.xml")
JUEL_GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="Examples">
  <process id="{pid}">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <exclusiveGateway id="gw"/>
    <sequenceFlow id="big" sourceRef="gw" targetRef="approve">
      <conditionExpression xsi:type="tFormalExpression"
        >${{amount > 1000 &amp;&amp; !empty reason}}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="small" sourceRef="gw" targetRef="book">
      <conditionExpression xsi:type="tFormalExpression">#{{amount le 1000 or empty reason}}</conditionExpression>
    </sequenceFlow>
    <userTask id="approve" name="Approve" flowable:candidateGroups="managers"/>
    <userTask id="book" name="Book"/>
    <sequenceFlow id="f2" sourceRef="approve" targetRef="end"/>
    <sequenceFlow id="f3" sourceRef="book" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"}
    return subprocess.run([str(GRIDCASE), "--database-url", url, *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_the_cli_deploys_flowable_files_and_finds_them_in_a_folder(
        db_url_engine: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = db_url_engine
    folder = tmp_path / "models"
    folder.mkdir()
    for name in FLOWABLE:
        shutil.copy(CORPUS / name, folder / name)
    done = _cli(url, "process", "deploy", str(folder))
    assert done.returncode == 0, done.stderr
    deployed = {r.process_id for r in rows(engine, "SELECT process_id FROM process_versions")}
    assert {"oneTaskProcess", "financialReport"} <= deployed
    stored = rows(engine, "SELECT sources FROM process_versions WHERE process_id = 'financialReport'")
    assert "flowable_financial_report.bpmn20.xml" in stored[0].sources  # kept under its own name


def test_the_cli_explains_a_model_marked_not_executable_and_stores_nothing(
        db_url_engine: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = db_url_engine
    before = snapshot(engine)
    done = _cli(url, "process", "deploy", str(CORPUS / "miwg_A.1.0.bpmn"))
    assert done.returncode != 0
    assert "WFP-6-" in done.stderr and 'set isExecutable="true"' in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "0x" not in done.stderr
    assert snapshot(engine) == before


def test_a_juel_gateway_routes_cases_as_its_python_translation(db: Engine) -> None:
    bus = bootstrap(db, FakeClock(), verify_state=True)
    pid = f"juel_{uuid.uuid4().hex[:8]}"
    bus.handle(c.DeployProcesses({f"{pid}.bpmn20.xml": JUEL_GATEWAY.format(pid=pid)}, "designer"))

    def first_task(data: dict[str, object]) -> str:
        ref = bus.handle(c.StartCase(pid, data, "clerk"))
        [row] = rows(db, "SELECT bpmn_id FROM human_tasks WHERE id = :t", t=ref.ready_tasks[0])
        return str(row.bpmn_id)

    assert first_task({"amount": 1500, "reason": "new roof"}) == "approve"
    assert first_task({"amount": 1500, "reason": ""}) == "book"
    assert first_task({"amount": 20, "reason": "paint"}) == "book"


def test_the_api_validates_and_deploys_a_flowable_file(api: Api) -> None:
    pid = f"juel_{uuid.uuid4().hex[:8]}"
    files = {f"{pid}.bpmn20.xml": JUEL_GATEWAY.format(pid=pid)}
    checked = api.post("/processes/validate", "designer01", {"files": files})
    assert checked.status_code == 200 and checked.json["valid"], checked.json
    notes = {p["element_id"]: p["message"] for p in checked.json["problems"] if p["severity"] == "warning"}
    assert "translated to the Python expression \"amount > 1000 and reason not in (None, '', [], {})\"" in \
        notes["big"]
    deployed = api.post("/processes/deploy", "designer01", {"files": files, "comment": "from Flowable"})
    assert deployed.status_code == 201, deployed.json
    assert deployed.json["versions"][0]["process_id"] == pid
    version = api.get(f"/processes/{pid}/versions/1", "designer01")
    assert list(version.json["sources"]) == [f"{pid}.bpmn20.xml"]
    assert "${amount > 1000" in version.json["sources"][f"{pid}.bpmn20.xml"]  # stored as uploaded
    saved = api.client.put(f"/api/v1/drafts/{pid}.bpmn20.xml", json={"content": files[f"{pid}.bpmn20.xml"]},
                           headers=api.headers("designer01"))
    assert saved.status_code in (200, 201), saved.json


def test_the_api_refuses_untranslatable_juel_naming_the_flow(api: Api) -> None:
    pid = f"juel_{uuid.uuid4().hex[:8]}"
    text = JUEL_GATEWAY.format(pid=pid).replace("amount > 1000", "execution.getVariable('amount') > 1000")
    body = error_of(api.post("/processes/deploy", "designer01", {"files": {f"{pid}.bpmn20.xml": text}}), 422)
    [problem] = [p for p in body["problems"] if p["severity"] == "error"]
    assert problem["element_id"] == "big" and "execution.getVariable" in problem["message"]
    assert "write the variable's name instead" in problem["message"]
    assert error_of(api.get(f"/processes/{pid}/versions", "designer01"), 404)


@pytest.mark.parametrize("name", ["x.bpmn20.xml", "x.bpmn", "x.dmn"])
def test_file_names_the_api_accepts(api: Api, name: str) -> None:
    body = api.post("/processes/validate", "designer01", {"files": {name: "<definitions/>"}})
    assert body.status_code == 200, body.json  # the name is accepted; the content is what is reported
