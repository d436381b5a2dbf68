"""The concurrent figure of ``gridcase bench engine``: several threads each drive their own cases through one bus,
as the threads of one web server process do.

On SQLite every synchronous level measured gets two databases, group commit on and off
(``GRIDCASE_SQLITE_GROUP_COMMIT``), driven in the same rounds. Their connections count the COMMITs they run
(sqlite3's statement trace, set by a connection class of the bench's own), so ``commits_per_command`` is measured,
not inferred. On another database (PostgreSQL) the figure is the one database's steps per second.
"""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from engine.persistence import group_commit
from engine.persistence.db import SQLITE_SYNCHRONOUS, SessionSettings
from engine.service.bus import MessageBus


class Workload(NamedTuple):
    """What the engine bench drives: how it prepares a database, and runs cases (``STEPS`` user tasks each)."""

    prepare: Callable[..., tuple[sa.Engine, MessageBus]]
    drive: Callable[[MessageBus, Iterable[int]], None]
    processes: list[Path]
    steps: int


class CommitCounter:
    """Counts the COMMIT statements a SQLite database's connections run (sqlite3's statement trace)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def note(self, statement: str) -> None:
        """The trace callback: called with every statement a connection runs."""
        if statement == "COMMIT":
            with self._lock:
                self.count += 1

    def connection_class(self) -> type[sqlite3.Connection]:
        """A ``sqlite3.Connection`` that reports its statements here (``connect_args={"factory": …}``)."""
        note = self.note

        class TracedConnection(sqlite3.Connection):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.set_trace_callback(note)

        return TracedConnection


@dataclass
class Variant:
    """One database the concurrent figure drives, and what it measured round by round."""

    level: str | None  # SQLite's synchronous level; None on another database
    group_commit: bool
    db: sa.Engine
    bus: MessageBus
    commits: CommitCounter | None  # None: not counted (not SQLite)
    rates: list[float] = field(default_factory=list)
    committed: int = 0  # commits counted while measured
    commands: int = 0  # commands sent while measured


class ConcurrentVariants:
    """The databases of the concurrent figure, measured in the engine bench's rounds."""

    def __init__(self, variants: list[Variant], threads: int, workload: Workload) -> None:
        self.variants = variants
        self.threads = threads
        self.workload = workload

    @classmethod
    def build(cls, db: sa.Engine, bus: MessageBus, session: SessionSettings, folder: Path, side_by_side: bool,
              threads: int, workload: Workload) -> ConcurrentVariants:
        """SQLite: a database per synchronous level measured (``session``'s, and with ``side_by_side`` the other
        one) and group commit on or off. Another database: ``db`` itself, through ``bus``."""
        if db.dialect.name != "sqlite":
            return cls([Variant(None, False, db, bus, None)], threads, workload)
        levels = [session.sqlite_synchronous]
        if side_by_side:
            levels += [name for name in SQLITE_SYNCHRONOUS if name != session.sqlite_synchronous]
        variants = []
        for level in levels:
            for on in (True, False):
                counter = CommitCounter()
                url = f"sqlite:///{folder / f'concurrent-{level}-{_on_off(on)}.db'}"
                new_db, new_bus = workload.prepare(
                    url, workload.processes, replace(session, sqlite_synchronous=level, sqlite_group_commit=on),
                    connect_args={"factory": counter.connection_class()})
                variants.append(Variant(level, on, new_db, new_bus, counter))
        return cls(variants, threads, workload)

    def buses(self) -> Iterator[MessageBus]:
        """Every variant's bus (to warm up)."""
        return (v.bus for v in self.variants)

    def engines(self) -> Iterator[sa.Engine]:
        """The engines this figure made (to dispose of); not the bench's own."""
        return (v.db for v in self.variants if v.commits is not None)

    def measure(self, cases: int) -> None:
        """One round: ``cases`` cases on every variant, split over the threads."""
        for variant in self.variants:
            before = variant.commits.count if variant.commits else 0
            variant.rates.append(_threaded(variant.bus, cases, self.threads, self.workload))
            variant.commands += cases * (self.workload.steps + 1)  # StartCase and each task
            variant.committed += (variant.commits.count if variant.commits else 0) - before

    def figures(self, cases: int) -> dict[str, Any]:
        """The medians of the rounds, and the commits each command cost."""
        out: dict[str, Any] = {"threads": self.threads, "cases_per_round": cases,
                               "commands_per_round": cases * (self.workload.steps + 1)}
        if self.variants[0].commits is None:
            return {**out, "steps_per_s": round(statistics.median(self.variants[0].rates), 1)}
        by_level: dict[str, Any] = {}
        for variant in self.variants:
            assert variant.level is not None  # a counted variant is a SQLite one
            level = by_level.setdefault(variant.level, {})
            level[f"group_commit_{_on_off(variant.group_commit)}"] = {
                "steps_per_s": round(statistics.median(variant.rates), 1),
                "commits_per_command": round(variant.committed / variant.commands, 3)}
        for level in by_level.values():
            level["on_vs_off"] = round(level["group_commit_on"]["steps_per_s"]
                                       / level["group_commit_off"]["steps_per_s"], 2)
        return {**out, "by_synchronous": dict(sorted(by_level.items()))}

    @staticmethod
    def group_commit_of(db: sa.Engine) -> str:
        """``on``/``off`` for a SQLite engine; PostgreSQL has none (its server groups commits itself)."""
        if db.dialect.name != "sqlite":
            return "not used"
        return _on_off(group_commit.for_engine(db) is not None)


def _on_off(on: bool) -> str:
    return "on" if on else "off"


def _threaded(bus: MessageBus, cases: int, threads: int, workload: Workload) -> float:
    """Steps per second while ``threads`` threads each drive every ``threads``-th of ``cases`` cases."""
    start_line = threading.Barrier(threads + 1)
    failures: list[BaseException] = []

    def work(first: int) -> None:
        start_line.wait()
        try:
            workload.drive(bus, range(first, cases, threads))
        except BaseException as exc:  # raised in the bench's own thread below
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(i,), name=f"bench-{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    start_line.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise failures[0]
    return cases * workload.steps / elapsed
