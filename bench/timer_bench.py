"""``gridcase bench timers``: many pending timers, a few hundred coming due, fired by the real scheduler."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.engine_bench import PROCESSES, prepare
from engine.domain import commands as c
from engine.persistence.read import timers as timer_reads
from engine.persistence.repositories.bench_tables import add_pending_timers
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

FILLER_AHEAD = timedelta(days=30)


def run(database_url: str | None = None, pending: int = 100_000, due: int = 300) -> dict[str, Any]:
    """Measure tick cost at 1,000 and at ``pending`` timers, and fire lag of ``due`` real timers."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'timers.db'}"
        db, bus = prepare(url, [PROCESSES / "bench_timer.bpmn"])
        filler_case = _filler_case(bus)
        _add_filler_timers(db, filler_case, 1000)
        tick_small = _tick_cost(bus)
        _add_filler_timers(db, filler_case, pending - 1000)
        tick_large = _tick_cost(bus)
        lags, duplicates, missed = _fire_lag(bus, url, due)
        db.dispose()
    lags.sort()
    return {
        "database": db.dialect.name,
        "pending": pending,
        "due_during_run": due,
        "fired": len(lags),
        "missed": missed,
        "fire_lag_p50_s": round(statistics.median(lags), 3) if lags else None,
        "fire_lag_p95_s": round(lags[int(0.95 * (len(lags) - 1))], 3) if lags else None,
        "fire_lag_max_s": round(lags[-1], 3) if lags else None,
        "duplicates": duplicates,
        "tick_cost_1000_ms": round(tick_small * 1000, 3),
        "tick_cost_pending_ms": round(tick_large * 1000, 3),
        "tick_cost_ratio": round(tick_large / tick_small, 3),
    }


def _filler_case(bus: MessageBus) -> int:
    far = (datetime.now(UTC) + FILLER_AHEAD * 12).isoformat()
    case_id: int = bus.handle(c.StartCase("bench_timer", {"due_at": far}, "bench")).case_id
    return case_id


def _add_filler_timers(db: sa.Engine, case_id: int, count: int) -> None:
    """Pending timer rows due a month or more ahead (they never fire during the run)."""
    start = datetime.now(UTC) + FILLER_AHEAD
    for offset in range(0, count, 10_000):
        add_pending_timers(db, case_id, ((str(uuid.uuid4()), start + timedelta(seconds=i))
                                         for i in range(offset, min(offset + 10_000, count))))


def _tick_cost(bus: MessageBus, ticks: int = 1000, warm_up: int = 100) -> float:
    """Median wall time of one scheduler tick (the due-soon query plus arming), after a warm-up."""
    scheduler = TimerScheduler(bus)
    scheduler.start()
    try:
        for _ in range(warm_up):
            scheduler.tick()
        costs = []
        for _ in range(ticks):
            t0 = time.perf_counter()
            scheduler.tick()
            costs.append(time.perf_counter() - t0)
    finally:
        scheduler.stop()
    return statistics.median(costs)


def _fire_lag(bus: MessageBus, url: str, due: int) -> tuple[list[float], int, int]:
    """Start ``due`` cases whose timers come due 4–14 s from now; let the scheduler process fire them."""
    first = datetime.now(UTC) + timedelta(seconds=4)
    case_ids = []
    for i in range(due):
        when = first + timedelta(seconds=10 * i / due)
        case_ids.append(bus.handle(c.StartCase("bench_timer", {"due_at": when.isoformat()}, "bench")).case_id)
    env = {**os.environ, "GRIDCASE_SCHEDULER_INTERVAL": "0.5", "GRIDCASE_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "--database-url", url, "scheduler"], env=env,
                            stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and _unfired(bus, case_ids) > 0:
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return _lags(bus, case_ids)


def _unfired(bus: MessageBus, case_ids: list[int]) -> int:
    with bus.deps.uow(read_only=True) as uow:
        return timer_reads.pending_between(uow.store, min(case_ids), max(case_ids))


def _lags(bus: MessageBus, case_ids: list[int]) -> tuple[list[float], int, int]:
    with bus.deps.uow(read_only=True) as uow:
        rows = timer_reads.timers_between(uow.store, min(case_ids), max(case_ids))
        events = timer_reads.firings_per_task(uow.store, min(case_ids), max(case_ids))
    lags = [(r["fired_at"] - r["due_at"]).total_seconds() for r in rows if r["status"] == "fired"]
    duplicates = sum(max(r["fire_count"] - 1, 0) for r in rows) + sum(n - 1 for _, n in events if n > 1)
    missed = sum(1 for r in rows if r["status"] != "fired")
    return lags, duplicates, missed
