"""Scripts under their budget on SQLite and PostgreSQL: a script that never ends fails its command within the
budget, naming the element, writing nothing and holding no lock; scripts give the data replay gets elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.bpmn.budget import ScriptLimits
from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses, StartCase
from engine.domain.errors import ScriptRejected
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus

ROOT = Path(__file__).resolve().parents[2]
WORDS = "words = list({" + ", ".join(f"'w{i}'" for i in range(24)) + "})"
SCRIPTS = {
    "spin": "i = 0\nwhile True:\n    i += 1",
    "huge": "n = 10**10**7",
    "nan": "ratio = 0.0 * float('inf')",
    "quote": "where = [1].index(now)",
    "words": WORDS,
    "fine": "done = True",
    "pad": "pad = 'x' * 200_000",
}
LIMITS = ScriptLimits(cpu_seconds=0.3, max_case_data_chars=100_000)


def process(name: str, script: str) -> str:
    """Start → script task ``<name>_script`` → user task ``check`` → end."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{name}" targetNamespace="t">
  <bpmn:process id="{name}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:scriptTask id="{name}_script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="check"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{name}_script"/>
    <bpmn:sequenceFlow id="f2" sourceRef="{name}_script" targetRef="check"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def budget_bus(db: Engine, clock: FakeClock) -> MessageBus:
    bus = bootstrap(db, clock, verify_state=True, script_limits=LIMITS)
    bus.handle(DeployProcesses({f"{name}.bpmn": process(name, text) for name, text in SCRIPTS.items()}, "tests"))
    return bus


def counts(sql: Callable[..., list[sa.Row]]) -> tuple[int, int, int]:
    return (sql("SELECT count(*) FROM cases")[0][0], sql("SELECT count(*) FROM case_events")[0][0],
            sql("SELECT count(*) FROM workflow_tasks")[0][0])


@pytest.mark.parametrize(("name", "message"), [
    ("spin", "spin_script: BudgetExceeded:script budget exceeded: more than"),  # CPU, or wall on a starved machine
    ("huge", "huge_script: BudgetExceeded:script budget exceeded: more than 65,536 bits in one integer"),
    ("nan", "nan_script: ValueError:The script sets ratio to nan: task data holds finite JSON numbers only"),
    ("pad", "pad_script: the case's data would be 200,010 characters of JSON, more than 100,000"),
])
def test_the_command_fails_naming_the_element_and_writes_nothing(budget_bus: MessageBus, db: Engine,
                                                                 sql: Callable[..., list[sa.Row]], name: str,
                                                                 message: str) -> None:
    before = counts(sql)
    with pytest.raises(ScriptRejected) as failed:
        budget_bus.handle(StartCase(name, {}, "tests"))
    assert message in str(failed.value)
    assert counts(sql) == before
    # The lock is free: the next command, through another bus (its own connections), goes through at once.
    other = bootstrap(db, FakeClock(), script_limits=LIMITS)
    ref = other.handle(StartCase("fine", {}, "tests"))
    assert sql("SELECT count(*) FROM cases WHERE id = :id", id=ref.case_id)[0][0] == 1
    assert counts(sql)[0] == before[0] + 1


def test_an_error_that_quotes_a_function_has_no_address(budget_bus: MessageBus) -> None:
    with pytest.raises(ScriptRejected, match=r"quote_script: ValueError:.*now> is not in list") as failed:
        budget_bus.handle(StartCase("quote", {}, "tests"))
    assert "0x" not in str(failed.value)  # a failed timer stores its error, and replay compares it


def test_a_case_started_in_another_process_replays_identically(budget_bus: MessageBus,
                                                               db_url_engine: tuple[str, Engine]) -> None:
    """The set's order used to follow the process's hash salt: started by a server, verified by the CLI, the case
    was NOT VERIFIED. Now sets are built in the budget worker, whose salt is fixed."""
    url, _ = db_url_engine
    child = ("import sys; sys.path.insert(0, sys.argv[1]); from city.bootstrap import bootstrap; "
             "from engine.domain.commands import StartCase; "
             "print(bootstrap(sys.argv[2]).handle(StartCase('words', {}, 'server')).case_id)")
    started = subprocess.run([sys.executable, "-c", child, str(ROOT), url], capture_output=True, text=True,
                             env={**os.environ, "PYTHONHASHSEED": "11"}, check=True, timeout=300)
    result = verify_case(budget_bus.deps, int(started.stdout.strip().splitlines()[-1]))
    assert result.verified, result.divergence and result.divergence.describe()
