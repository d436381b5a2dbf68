"""Child process for test_crash: runs a random stream of commands until it is killed.

Usage: ``python crash_worker.py DATABASE_URL LOG_FILE SEED``. Before each command it appends an
``intent`` line to LOG_FILE, after the command committed an ``ack`` line; every line is flushed and
fsynced, so the log on disk is a lower bound of what the database holds (at most one command, the
last intent, may have committed without its ack).
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import timedelta
from typing import IO, Any

import sqlalchemy as sa

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

MAX_COMMANDS = 20_000  # a safety stop: the parent kills the worker long before


class Worker:
    """Chooses the next command from what the database says is possible, and logs it."""

    def __init__(self, url: str, log: IO[str], seed: int) -> None:
        self.clock = FakeClock()
        self.bus: MessageBus = bootstrap(url, self.clock)
        self.timers = TimerScheduler(self.bus)
        self.log = log
        self.rng = random.Random(seed)
        self.seq = 0
        self.tag = f"s{seed}"

    def write(self, entry: dict[str, Any]) -> None:
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()
        os.fsync(self.log.fileno())

    def run(self, op: str, command: c.Command, **details: Any) -> Any:
        """Log the intent, handle the command (its own transaction), log the acknowledgement."""
        self.seq += 1
        self.write({"n": self.seq, "op": op, **details})
        result = self.bus.handle(command)
        ack: dict[str, Any] = {"n": self.seq, "ack": op, "at": self.clock.now().isoformat()}
        if op == "fire":
            ack["result"] = result
        elif op == "message":
            ack["cases"] = [[ref.case_id, ref.version] for ref in result]
        else:
            ack["case"], ack["version"] = result.case_id, result.version
        self.write(ack)
        return result

    def query(self, statement: str) -> list[Any]:
        with self.bus.deps.db.connect() as conn:
            return list(conn.execute(sa.text(statement)))

    def step(self) -> None:
        ready = self.query("SELECT id, case_id, bpmn_id FROM human_tasks WHERE state = 'ready' ORDER BY id")
        waiting = self.query("SELECT case_id, correlation FROM message_waits ORDER BY case_id")
        roll = self.rng.random()
        if roll < 0.2 or not (ready or waiting):
            self.start()
        elif roll < 0.6 and ready:
            task = self.rng.choice(ready)
            if task.bpmn_id != "dispatch_urgent" or self.rng.random() < 0.3:  # let some deadlines pass
                self.complete(task)
        elif roll < 0.7 and waiting:
            case_id, correlation = self.rng.choice(waiting)
            report_no = json.loads(correlation)["report_no"]
            self.run("message", c.SendMessage("verification_done", {"ok": True}, "collector",
                                              {"report_no": report_no}), case=case_id, report_no=report_no)
        else:
            self.fire_due(timedelta(hours=1))

    def start(self) -> None:
        ext = f"{self.tag}-{self.seq + 1}"
        data = {"report_no": ext, "department": self.rng.choice(["dept_roads", "dept_parks"])}
        self.run("start", c.StartCase("report_handling", data, "seat", channel="crash", external_id=ext), ext=ext)

    def complete(self, task: Any) -> None:
        data = {"severity": self.rng.randint(1, 5), "description": "pothole"} \
            if task.bpmn_id == "register_report" else {}
        actor = f"user-{self.seq % 7}"
        self.run("complete", c.CompleteHumanTask(task.id, data, actor), task=task.id, case=task.case_id,
                 actor=actor)

    def fire_due(self, step: timedelta) -> None:
        self.clock.advance(step)
        for timer_id, _due in self.timers.due_soon(self.clock.now()):
            case_id = self.query(f"SELECT case_id FROM timers WHERE id = {int(timer_id)}")[0][0]
            self.run("fire", c.FireTimer(timer_id), timer=timer_id, case=case_id)


def main(url: str, log_path: str, seed: int) -> None:
    with open(log_path, "a", encoding="utf-8") as log:
        worker = Worker(url, log, seed)
        while worker.seq < MAX_COMMANDS:
            worker.step()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
