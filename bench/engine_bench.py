"""``gridcase bench engine``: SpiffWorkflow alone vs gridcase persisted vs naive whole-blob storage, with the
durability the persisted figures were measured at (SQLite's synchronous level, PostgreSQL's synchronous_commit and
fsync), and on SQLite optionally both synchronous levels side by side in the same rounds. The concurrent figure
(``bench/concurrent_bench.py``): several threads driving their own cases through one bus, on SQLite with group
commit on and off in the same rounds, with the commits each command cost."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from bench.baseline import PlainProcess
from bench.concurrent_bench import ConcurrentVariants, Workload
from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import SystemClock
from engine.persistence.db import SQLITE_SYNCHRONOUS, SessionSettings, create_db_engine, durability
from engine.persistence.migrate import upgrade_database
from engine.persistence.repositories.bench_tables import NaiveBlobTable
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

PROCESSES = Path(__file__).parent / "processes"
STEPS = 8
ROUNDS = 5


def run(database_url: str | None = None, cases: int = 200, loop_iterations: int = 200,
        session: SessionSettings | None = None, side_by_side: bool = False, threads: int = 4) -> dict[str, Any]:
    """Run all three variants in this process and return the figures, with the durability they were measured at.

    ``session``: how the connections are set up (SQLite synchronous level and group commit, PostgreSQL timeouts).
    ``side_by_side`` (SQLite): also persist to a second database at the other synchronous level, interleaved round
    by round. ``threads``: how many threads drive cases at once for the concurrent figure.
    """
    session = session or SessionSettings()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db, bus = prepare(url, [PROCESSES], session)
        other = _other_level(db, session, Path(tmp)) if side_by_side else None
        concurrent = ConcurrentVariants.build(db, bus, session, Path(tmp), side_by_side, threads,
                                              Workload(prepare, drive, [PROCESSES], STEPS))
        sequence = PlainProcess((PROCESSES / "bench_sequence.bpmn").read_text(), "bench_sequence")
        loop = PlainProcess((PROCESSES / "bench_loop.bpmn").read_text(), "bench_loop")
        _inmemory(sequence, 20)
        for warm in (bus, *([other.bus] if other else []), *concurrent.buses()):
            _persisted(warm, 5)  # warm up every variant
        # Interleaved rounds, median of each: one short run is at the mercy of a noisy machine.
        rounds = [_round(sequence, bus, other, concurrent, cases) for _ in range(ROUNDS)]
        inmemory = statistics.median(r[0] for r in rounds)
        persisted = statistics.median(r[1] for r in rounds)
        naive = _naive(db, sequence, max(cases // 4, 10))
        history_mem = _history_inmemory(loop, loop_iterations)
        history_db = _history_persisted(bus, loop_iterations)
        measured = durability(db)
        compared = _side_by_side(measured, persisted, other, statistics.median(r[2] for r in rounds), inmemory)
        for engine in (db, *([other.db] if other else []), *concurrent.engines()):
            engine.dispose()
    return {
        "database": db.dialect.name,
        "durability": measured,
        "group_commit": concurrent.group_commit_of(db),
        "cases": cases,
        "rounds": ROUNDS,
        "steps_per_case": STEPS,
        "inmemory_steps_per_s": round(inmemory, 1),
        "persisted_steps_per_s": round(persisted, 1),
        "naive_steps_per_s": round(naive, 1),
        "persisted_vs_inmemory": round(persisted / inmemory, 3),
        "persisted_vs_naive": round(persisted / naive, 2),
        "loop_iterations": loop_iterations,
        "history_cost_ratio": round(history_db, 3),
        "inmemory_history_cost_ratio": round(history_mem, 3),
        "history_growth_vs_inmemory": round(history_db / history_mem, 3),
        **compared,
        "concurrent": concurrent.figures(cases),
    }


def _round(sequence: PlainProcess, bus: MessageBus, other: Variant | None, concurrent: ConcurrentVariants,
           cases: int) -> tuple[float, float, float]:
    """One round: steps/s in memory, persisted (and at the other synchronous level); then the concurrent figure's."""
    figures = (_inmemory(sequence, cases), _persisted(bus, cases), _persisted(other.bus, cases) if other else 0.0)
    concurrent.measure(cases)
    return figures


def prepare(url: str, processes: list[Path], session: SessionSettings | None = None,
            **engine_options: Any) -> tuple[sa.Engine, MessageBus]:
    """Migrate the database at ``url``, bootstrap the engine on the wall clock and deploy ``processes``;
    ``engine_options`` go to ``create_db_engine`` (a bench's own ``connect_args``)."""
    db = create_db_engine(url, session, **engine_options)
    upgrade_database(db)
    bus = bootstrap(db, SystemClock())
    bus.handle(c.DeployProcesses(read_sources(processes), "bench"))
    return db, bus


class Variant(NamedTuple):
    """A second persisted variant: its SQLite synchronous level, database and engine."""

    level: str
    db: sa.Engine
    bus: MessageBus


def _other_level(db: sa.Engine, session: SessionSettings, folder: Path) -> Variant | None:
    """SQLite: a second database in ``folder`` at the synchronous level ``session`` does not use; else None."""
    if db.dialect.name != "sqlite":
        return None
    level = next(name for name in SQLITE_SYNCHRONOUS if name != session.sqlite_synchronous)
    other_db, other_bus = prepare(f"sqlite:///{folder / f'bench-{level}.db'}", [PROCESSES],
                                  replace(session, sqlite_synchronous=level))
    return Variant(level, other_db, other_bus)


def _side_by_side(measured: dict[str, str], persisted: float, other: Variant | None, other_persisted: float,
                  inmemory: float) -> dict[str, Any]:
    """``persisted_by_synchronous``: steps/s persisted at each SQLite level, measured in the same rounds."""
    if other is None:
        return {}
    figures = {measured["synchronous"]: persisted, other.level: other_persisted}
    return {"persisted_by_synchronous": {
        level: {"persisted_steps_per_s": round(value, 1), "persisted_vs_inmemory": round(value / inmemory, 3)}
        for level, value in sorted(figures.items())}}


def _inmemory(process: PlainProcess, cases: int) -> float:
    start = time.perf_counter()
    for i in range(cases):
        workflow = process.start({"case": i})
        for step in range(STEPS):
            process.complete_next(workflow, {"step": step})
    return cases * STEPS / (time.perf_counter() - start)


def _persisted(bus: MessageBus, cases: int) -> float:
    start = time.perf_counter()
    drive(bus, range(cases))
    return cases * STEPS / (time.perf_counter() - start)


def drive(bus: MessageBus, cases: Iterable[int]) -> None:
    """Start each case of ``bench_sequence`` and complete its ``STEPS`` user tasks, one command at a time."""
    for i in cases:
        ref = bus.handle(c.StartCase("bench_sequence", {"case": i}, "bench"))
        for step in range(STEPS):
            ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"step": step}, "bench"))


def _naive_step(process: PlainProcess, step: int, blob: str) -> str:
    return process.naive_step(blob, {"step": step})


def _naive(db: sa.Engine, process: PlainProcess, cases: int) -> float:
    with NaiveBlobTable(db) as table:
        start = time.perf_counter()
        for i in range(cases):
            table.insert(i, process.naive_start({"case": i}))
            for step in range(STEPS):
                table.step(i, partial(_naive_step, process, step))
        elapsed = time.perf_counter() - start
    return cases * STEPS / elapsed


def _window_ratio(costs: list[float], late: int, early: int = 10, half: int = 5) -> float:
    early_cost = statistics.median(costs[early - half: early + half + 1])
    late_cost = statistics.median(costs[late - half: late + half + 1])
    return late_cost / early_cost


def _history_inmemory(process: PlainProcess, iterations: int, repeats: int = 5) -> float:
    ratios = []
    for _ in range(repeats):
        workflow = process.start({"again": True})
        costs = []
        for i in range(iterations + 6):
            t0 = time.perf_counter()
            process.complete_next(workflow, {"again": True, "round": i})
            costs.append(time.perf_counter() - t0)
        ratios.append(_window_ratio(costs, iterations))
    return statistics.median(ratios)


def _history_persisted(bus: MessageBus, iterations: int, repeats: int = 5) -> float:
    ratios = []
    for _ in range(repeats):
        ref = bus.handle(c.StartCase("bench_loop", {"again": True}, "bench"))
        costs = []
        for i in range(iterations + 6):
            t0 = time.perf_counter()
            ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"again": True, "round": i}, "bench"))
            costs.append(time.perf_counter() - t0)
        ratios.append(_window_ratio(costs, iterations))
    return statistics.median(ratios)
