"""Helpers of the scheduler tests (test_scheduler, test_scheduler_restart): start cases with a timer, wait for
the real scheduler to fire them, and check that each fired exactly once."""

from __future__ import annotations

import time
from datetime import datetime

from invariants import rows
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.service.bus import MessageBus


def wait_until_fired(db: Engine, expected: int, timeout: float) -> None:
    """Poll the timers table until ``expected`` timers fired (real time: the scheduler runs on it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fired = rows(db, "SELECT COUNT(*) AS n FROM timers WHERE status = 'fired'")[0].n
        if fired >= expected:
            return
        time.sleep(0.05)
    pending = rows(db, "SELECT id, due_at, status FROM timers WHERE status <> 'fired'")
    raise AssertionError(f"not all timers fired within {timeout} s: {pending}")


def fired_events_per_timer(db: Engine) -> dict[str, int]:
    return {r.task_id: r.n for r in rows(
        db, "SELECT task_id, COUNT(*) AS n FROM case_events WHERE event_type = 'timer_fired' GROUP BY task_id")}


def start_inspections(bus: MessageBus, count: int, at: datetime) -> list[int]:
    return [bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": at.isoformat()}, "planner")).case_id
            for _ in range(count)]


def assert_each_fired_once(db: Engine, count: int) -> None:
    timers = rows(db, "SELECT task_id, status, fire_count FROM timers")
    events = fired_events_per_timer(db)
    assert len(timers) == count
    assert all((t.status, t.fire_count, events.get(t.task_id)) == ("fired", 1, 1) for t in timers), timers
    inspections = rows(db, "SELECT COUNT(*) AS n FROM human_tasks WHERE bpmn_id = 'inspect_site' AND state = 'ready'")
    assert inspections[0].n == count
