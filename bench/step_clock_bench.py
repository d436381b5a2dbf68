"""``python -m bench.step_clock_bench``: what the step clock costs — deciding a task's limit when it becomes ready
(cases started with and without a step limit), and the scheduler's sweep over cases whose tasks are overdue (one
ClockTasks per case) and over none (the idle sweep every tick pays). Prints JSON."""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.engine_bench import prepare
from engine.domain import commands as c
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

PROCESSES = Path(__file__).parent / "step_clock_processes"


def run(database_url: str | None = None, cases: int = 300, waiting: int = 2000) -> dict[str, Any]:
    """Start ``cases`` cases of each kind, then ``waiting`` more not yet due; sweep the overdue ones, then idle."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'step_clock.db'}"
        db, bus = prepare(url, [PROCESSES])
        unclocked = _starts(bus, "bench_unclocked", {}, cases)
        clocked = _starts(bus, "bench_clocked", {"urgency": "normal"}, cases)
        _starts(bus, "bench_clocked", {"urgency": "normal"}, waiting)
        _starts(bus, "bench_clocked", {"urgency": "late"}, cases)  # due the moment they are ready
        scheduler = TimerScheduler(bus)
        started = time.perf_counter()
        swept = scheduler.clock_tasks()
        sweep = time.perf_counter() - started
        idle = []
        for _ in range(50):
            started = time.perf_counter()
            assert scheduler.clock_tasks() == []
            idle.append(time.perf_counter() - started)
        db.dispose()
    return {
        "database": db.dialect.name,
        "cases_each": cases,
        "ready_tasks_not_due": waiting + cases,
        "start_unclocked_ms_p50": round(statistics.median(unclocked) * 1000, 3),
        "start_clocked_ms_p50": round(statistics.median(clocked) * 1000, 3),
        "decide_overhead_ms_p50": round((statistics.median(clocked) - statistics.median(unclocked)) * 1000, 3),
        "overdue_cases_swept": len(swept),
        "events_written": sum(len(s.warned) + len(s.overdue) for s in swept),
        "sweep_ms_per_case": round(sweep / max(len(swept), 1) * 1000, 3),
        "idle_sweep_ms_p50": round(statistics.median(idle) * 1000, 3),
    }


def _starts(bus: MessageBus, process_id: str, data: dict[str, Any], count: int) -> list[float]:
    """Seconds each StartCase took."""
    took = []
    for _ in range(count):
        started = time.perf_counter()
        bus.handle(c.StartCase(process_id, dict(data), "bench"))
        took.append(time.perf_counter() - started)
    return took


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
