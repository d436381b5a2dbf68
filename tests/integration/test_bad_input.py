"""Bad input gets a clear error naming the field, and nothing at all is written."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from invariants import check_all, rows, snapshot
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.errors import (
    ConcurrencyConflict,
    GridcaseError,
    InvalidCommand,
    NotFound,
    ProcessInvalid,
    ScriptRejected,
)
from engine.service.bus import MessageBus

GRIDCASE = Path(sys.executable).with_name("gridcase")
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{pid}"
                  targetNamespace="http://gridcase.example/tests">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="begin"/>
    <bpmn:sequenceFlow id="to_work" sourceRef="begin" targetRef="work"/>
    <bpmn:scriptTask id="work"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="to_wait" sourceRef="work" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:{kind}>{timer}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="to_end" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def process(pid: str, *, script: str = "ok = True", kind: str = "timeDuration", timer: str = "PT1H") -> str:
    return PROCESS.format(pid=pid, script=script, kind=kind, timer=timer)


@dataclass(frozen=True)
class Scene:
    """A database with cases in several states, to aim bad commands at."""

    case_id: int  # an urgent report waiting for dispatch, its deadline timer pending
    version: int
    dispatch: str
    registered: str  # the completed register task of that case
    register: str  # a second report, still at registration
    unsafe: str  # first_review of unsafe_script: completing it runs a script the sandbox refuses
    timer_id: int


@pytest.fixture
def scene(bus: MessageBus, db: Engine) -> Scene:
    failing = process("fails_on_start", script="total = missing + 1")
    bus.handle(c.DeployProcesses({"fails_on_start.bpmn": failing}, "tests"))
    first = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "dept_roads"}, "seat"))
    registered = first.ready_tasks[0]
    ref = bus.handle(c.CompleteHumanTask(registered, {"severity": 4, "description": "cover gone"}, "seat"))
    second = bus.handle(c.StartCase("report_handling", {"report_no": "R-2", "department": "dept_parks"}, "seat"))
    unsafe = bus.handle(c.StartCase("unsafe_script", {}, "seat"))
    (timer_id,) = [r.id for r in rows(db, "SELECT id FROM timers WHERE case_id = :c", c=ref.case_id)]
    return Scene(ref.case_id, ref.version, ref.ready_tasks[0], registered, second.ready_tasks[0],
                 unsafe.ready_tasks[0], timer_id)


NOBODY = str(uuid.UUID(int=7))
BAD_COMMANDS: dict[str, tuple[Callable[[Scene], c.Command], type[GridcaseError], str | None]] = {
    "complete missing task": (lambda s: c.CompleteHumanTask(NOBODY, {}, "u"), NotFound, "task_id"),
    "claim missing task": (lambda s: c.ClaimTask(NOBODY, "u"), NotFound, "task_id"),
    "unclaim missing task": (lambda s: c.UnclaimTask(NOBODY, "u"), NotFound, "task_id"),
    "non-UUID task id": (lambda s: c.CompleteHumanTask("not-a-uuid", {}, "u"), GridcaseError, "task_id"),
    "over-long task id": (lambda s: c.ClaimTask("x" * 200, "u"), GridcaseError, "task_id"),
    "deliver to missing case": (lambda s: c.DeliverMessage(987654, "verification_done", {}), NotFound, "case_id"),
    "fire missing timer": (lambda s: c.FireTimer(987654), NotFound, "timer_id"),
    "message nobody waits for": (lambda s: c.SendMessage("no_such_message", {}, "u"), NotFound, "name"),
    "message correlating with nobody": (
        lambda s: c.SendMessage("verification_done", {}, "u", {"report_no": "R-404"}), NotFound, "name"),
    "complete at a stale version": (
        lambda s: c.CompleteHumanTask(s.dispatch, {}, "u", expected_version=s.version - 1),
        ConcurrencyConflict, "expected_version"),
    "claim at a future version": (
        lambda s: c.ClaimTask(s.dispatch, "u", expected_version=s.version + 1), ConcurrencyConflict,
        "expected_version"),
    "complete a completed task": (lambda s: c.CompleteHumanTask(s.registered, {}, "u"), ConcurrencyConflict, None),
    "unclaim a task nobody claimed": (lambda s: c.UnclaimTask(s.dispatch, "u"), ConcurrencyConflict, None),
    "start an unknown process": (lambda s: c.StartCase("no_such_process", {}), NotFound, "process_id"),
    "start data is a list": (lambda s: c.StartCase("report_handling", [1, 2]), InvalidCommand, "data"),  # type: ignore[arg-type]
    "start data holds a set": (lambda s: c.StartCase("report_handling", {"tags": {1, 2}}), InvalidCommand, "data"),
    "complete data is a string": (lambda s: c.CompleteHumanTask(s.dispatch, "go", "u"), InvalidCommand, "data"),  # type: ignore[arg-type]
    "complete data holds a datetime": (
        lambda s: c.CompleteHumanTask(s.dispatch, {"at": datetime.now(UTC)}, "u"), InvalidCommand, "data"),
    "message payload is a list": (
        lambda s: c.SendMessage("verification_done", [1], "u", {"report_no": "R-1"}), InvalidCommand, "payload"),  # type: ignore[arg-type]
    "channel without external id": (
        lambda s: c.StartCase("report_handling", {}, channel="mobile_app"), InvalidCommand, "external_id"),
    "external id without channel": (
        lambda s: c.StartCase("report_handling", {}, external_id="A-1"), InvalidCommand, "external_id"),
    "over-long external id": (
        lambda s: c.StartCase("report_handling", {}, "seat", "mobile_app", "x" * 300), InvalidCommand, "external_id"),
    "over-long actor": (lambda s: c.CompleteHumanTask(s.dispatch, {}, "u" * 300), InvalidCommand, "actor"),
    "form data the script cannot use": (
        lambda s: c.CompleteHumanTask(s.register, {"severity": "high", "description": "x"}, "u"), ScriptRejected,
        None),
    "form data missing a field": (lambda s: c.CompleteHumanTask(s.register, {"severity": 2}, "u"), ScriptRejected,
                                  None),
    "a script the sandbox refuses": (lambda s: c.CompleteHumanTask(s.unsafe, {}, "u"), ScriptRejected, None),
    "a start that fails in its first script": (lambda s: c.StartCase("fails_on_start", {}), ScriptRejected, None),
}


@pytest.mark.parametrize("name", list(BAD_COMMANDS))
def test_bad_command_is_refused_and_writes_nothing(name: str, bus: MessageBus, scene: Scene, db: Engine) -> None:
    build, error, field = BAD_COMMANDS[name]
    before = snapshot(db)
    with pytest.raises(error) as raised:
        bus.handle(build(scene))
    assert raised.value.field == field, f"{name}: field {raised.value.field!r}, message {raised.value.message!r}"
    assert raised.value.message
    assert snapshot(db) == before, f"{name} wrote to the database"


def test_a_refused_step_leaves_the_case_usable(bus: MessageBus, scene: Scene, db: Engine) -> None:
    """The hot workflow a failing command mutated must not leak into the next command."""
    for data in ({"severity": "high", "description": "x"}, {"severity": 2}):
        with pytest.raises(ScriptRejected):
            bus.handle(c.CompleteHumanTask(scene.register, data, "seat"))
    ref = bus.handle(c.CompleteHumanTask(scene.register, {"severity": 2, "description": "bench broken"}, "seat"))
    assert ref.version == 2
    bpmn_ids = [r.bpmn_id for r in rows(db, "SELECT bpmn_id FROM human_tasks WHERE id = :t", t=ref.ready_tasks[0])]
    assert bpmn_ids == ["dispatch_normal"]
    check_all(db)


BAD_FILES = {
    "malformed.bpmn": ("<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><bpmn:process",
                       "XMLSyntaxError"),
    "bad_date.bpmn": (process("bad_date", kind="timeDate", timer="2026-13-45T10:00:00"), "timer 'wait'"),
    "bad_duration.bpmn": (process("bad_duration", timer="PT4H +"), "timer 'wait'"),
    "empty_duration.bpmn": (process("empty_duration", timer="PT"), "timer 'wait'"),
}


@pytest.mark.parametrize("file_name", list(BAD_FILES))
def test_invalid_process_is_not_deployed(file_name: str, bus: MessageBus, db: Engine) -> None:
    text, hint = BAD_FILES[file_name]
    before = snapshot(db)
    good = {"good_one.bpmn": process("good_one")}  # valid, but must not be deployed next to a bad file
    with pytest.raises(ProcessInvalid) as raised:
        bus.handle(c.DeployProcesses({**good, file_name: text}, "designer"))
    assert hint in raised.value.message
    assert snapshot(db) == before
    assert not rows(db, "SELECT id FROM process_versions WHERE process_id = 'good_one'")
    assert bus.handle(c.DeployProcesses(good, "designer"))[0].created  # the good file alone deploys


@pytest.mark.parametrize("file_name", ["malformed.bpmn", "bad_date.bpmn"])
def test_cli_deploy_of_invalid_process_fails_with_the_problem(
        file_name: str, db_url_engine: tuple[str, Engine], bus: MessageBus, tmp_path: Path) -> None:
    url, engine = db_url_engine
    text, hint = BAD_FILES[file_name]
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    before = snapshot(engine)
    env = {**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"}
    done = subprocess.run([str(GRIDCASE), "--database-url", url, "process", "deploy", str(path)],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode != 0
    assert "error:" in done.stderr and hint in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(engine) == before


def test_a_database_locked_too_long_is_a_conflict_not_a_crash(tmp_path) -> None:
    """SQLite gives up after busy_timeout: the command reports a retryable conflict and writes nothing."""
    import sqlite3

    from engine.domain.errors import ConcurrencyConflict
    from engine.persistence.db import create_db_engine
    from engine.persistence.migrate import upgrade_database
    from engine.persistence.uow import UnitOfWork, command_scope

    path = tmp_path / "locked.db"
    db = create_db_engine(f"sqlite:///{path}", connect_args={"timeout": 0.2, "check_same_thread": False})
    upgrade_database(db)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(ConcurrencyConflict, match="locked"), command_scope(), UnitOfWork(db):
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()
