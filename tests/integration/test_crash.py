"""Kill -9 a process in the middle of a command stream: nothing acknowledged is lost, nothing is torn.

A child process (crash_worker.py) starts report cases, completes tasks, moves its fake clock and
fires due timers, and delivers verification messages, logging an intent before and an
acknowledgement after every command. The parent kills it with SIGKILL at a seeded random point,
then checks the database against the log and restarts the stream with a fresh bus.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from invariants import check_all, rows
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Log:
    """The worker's log as read after the kill."""

    intents: dict[int, dict[str, Any]] = field(default_factory=dict)
    acks: dict[int, dict[str, Any]] = field(default_factory=dict)
    last_time: datetime = datetime(2026, 11, 2, tzinfo=UTC)

    @classmethod
    def read(cls, path: Path) -> Log:
        log = cls()
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                assert i == len(lines) - 1, f"only the last line may be torn, not line {i + 1}"
                continue
            if "ack" in entry:
                log.acks[entry["n"]] = entry
                log.last_time = max(log.last_time, datetime.fromisoformat(entry["at"]))
            else:
                log.intents[entry["n"]] = entry
        return log

    def in_flight(self) -> dict[str, Any] | None:
        """The one command that may have committed without its acknowledgement."""
        pending = sorted(set(self.intents) - set(self.acks))
        assert pending in ([], [max(self.intents)]), f"intents without ack: {pending}"
        assert set(self.acks) <= set(self.intents)
        return self.intents[pending[0]] if pending else None


def run_worker_until_killed(url: str, log_path: Path, seed: int) -> None:
    """Start the worker, wait for a seeded number of acknowledgements, then SIGKILL it mid-stream."""
    rng = random.Random(seed)
    target = rng.randint(200, 400)
    errors = log_path.with_suffix(".stderr")
    with errors.open("wb") as stderr:
        child = subprocess.Popen([sys.executable, str(WORKER), url, str(log_path), str(seed)], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if child.poll() is not None:
                pytest.fail(f"the worker exited early ({child.returncode}): {errors.read_text()}")
            if log_path.exists() and log_path.read_text(encoding="utf-8").count('"ack"') >= target:
                break
            time.sleep(0.01)
        else:
            pytest.fail(f"the worker acknowledged fewer than {target} commands in 60 s: {errors.read_text()}")
        time.sleep(rng.uniform(0, 0.02))
    finally:
        child.send_signal(signal.SIGKILL)  # a no-op when it already exited
        child.wait(10)
    assert child.returncode == -signal.SIGKILL


def applied(engine: Engine, intent: dict[str, Any]) -> int | None:
    """Whether the unacknowledged command committed: the id of the case it changed, else None."""
    op = intent["op"]
    if op == "start":
        found = rows(engine, "SELECT id FROM cases WHERE channel = 'crash' AND external_id = :e", e=intent["ext"])
        return found[0].id if found else None
    if op == "complete":
        state = rows(engine, "SELECT state FROM human_tasks WHERE id = :t", t=intent["task"])[0].state
        return intent["case"] if state == "completed" else None
    if op == "fire":
        status = rows(engine, "SELECT status FROM timers WHERE id = :t", t=intent["timer"])[0].status
        return intent["case"] if status == "fired" else None
    status = rows(engine, "SELECT status FROM cases WHERE id = :c", c=intent["case"])[0].status
    return intent["case"] if status == "completed" else None


def check_acknowledged(engine: Engine, log: Log) -> Counter[int]:
    """Every acknowledged command is in the database; returns the commands applied per case."""
    per_case: Counter[int] = Counter()
    for n, ack in log.acks.items():
        intent, op = log.intents[n], ack["ack"]
        if op == "start":
            (case,) = rows(engine, "SELECT id FROM cases WHERE channel = 'crash' AND external_id = :e",
                           e=intent["ext"])
            assert case.id == ack["case"], f"command {n} lost"
            changed = [case.id]
        elif op == "complete":
            (task,) = rows(engine, "SELECT state, completed_by FROM human_tasks WHERE id = :t", t=intent["task"])
            assert (task.state, task.completed_by) == ("completed", intent["actor"]), f"command {n} lost"
            changed = [intent["case"]]
        elif op == "fire":
            (timer,) = rows(engine, "SELECT status, fire_count FROM timers WHERE id = :t", t=intent["timer"])
            fired = ack["result"] == "fired"
            assert not fired or (timer.status, timer.fire_count) == ("fired", 1), f"command {n} lost"
            changed = [intent["case"]] if fired else []
        else:
            changed = [case_id for case_id, _ in ack["cases"]]
            assert changed == [intent["case"]]
            assert rows(engine, "SELECT status FROM cases WHERE id = :c", c=intent["case"])[0].status == "completed"
        per_case.update(changed)
    return per_case


def continue_stream(bus: MessageBus, engine: Engine, log: Log, seed: int) -> None:
    """A fresh process's bus picks up where the killed one stopped."""
    ready = rows(engine, "SELECT id, bpmn_id, case_id FROM human_tasks WHERE state = 'ready' ORDER BY id")
    assert ready, "the stream left no ready task to continue with"
    task = ready[0]
    data = {"severity": 5, "description": "after the crash"} if task.bpmn_id == "register_report" else {}
    version = rows(engine, "SELECT version FROM cases WHERE id = :c", c=task.case_id)[0].version
    assert bus.handle(c.CompleteHumanTask(task.id, data, "after-crash")).version == version + 1
    fired = TimerScheduler(bus).fire_due()
    assert all(result == "fired" for result in fired)
    assert not rows(engine, "SELECT id FROM timers WHERE status = 'pending' AND due_at <= :now",
                    now=bus.deps.clock.now())
    for n, intent in sorted(log.intents.items())[-40:]:  # clients resubmit the reports they are unsure about
        if intent["op"] != "start":
            continue
        ref = bus.handle(c.StartCase("report_handling", {"report_no": intent["ext"], "department": "d"},
                                     "seat", channel="crash", external_id=intent["ext"]))
        if n in log.acks:
            assert (ref.created, ref.case_id) == (False, log.acks[n]["case"])
        same = rows(engine, "SELECT id FROM cases WHERE channel = 'crash' AND external_id = :e", e=intent["ext"])
        assert [r.id for r in same] == [ref.case_id]
    ref = bus.handle(c.StartCase("report_handling", {"report_no": f"new-{seed}", "department": "d"}, "seat"))
    assert ref.created and len(ref.ready_tasks) == 1


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_kill_nine_mid_stream_loses_nothing_acknowledged(
        db_url_engine: tuple[str, Engine], make_bus: Callable[..., MessageBus], tmp_path: Path, seed: int) -> None:
    url, engine = db_url_engine
    make_bus()  # deploys the fixture processes
    log_path = tmp_path / "acknowledged.log"
    run_worker_until_killed(url, log_path, seed)

    log = Log.read(log_path)
    assert len(log.acks) >= 200
    per_case = check_acknowledged(engine, log)
    in_flight = log.in_flight()
    if in_flight is not None and (case_id := applied(engine, in_flight)) is not None:
        per_case[case_id] += 1
    versions = {r.id: r.version for r in rows(engine, "SELECT id, version FROM cases")}
    assert versions == dict(per_case), "a case's version must equal the commands applied to it"
    ops = Counter(intent["op"] for intent in log.intents.values())
    assert min(ops["start"], ops["complete"], ops["fire"], ops["message"]) > 0, ops
    check_all(engine)

    bus = make_bus(FakeClock(log.last_time + timedelta(hours=5)), verify_state=True, cache_size=0)
    continue_stream(bus, engine, log, seed)
    check_all(engine)
