"""Rows only the benchmarks write, beside the product's tables, so the benches hold no SQL.

``NaiveBlobTable`` is the baseline ``gridcase bench engine`` compares against (DESIGN: naive whole-blob
persistence around each step: read the workflow's JSON, step, write it back, one transaction each).
``add_pending_timers`` fills the timer table the way ``gridcase bench timers`` needs: many far-off pending
timers of one case, written in bulk (a command would run the engine per timer and measure nothing useful).
``postgres_schema`` gives a PostgreSQL bench run a schema of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa

from engine.persistence.db import create_db_engine

NAIVE_TABLE = "bench_naive_workflows"


class NaiveBlobTable:
    """A scratch table of (id, JSON blob): created on enter, dropped on exit."""

    def __init__(self, db: sa.Engine) -> None:
        self.db = db
        self._select = sa.text(f"SELECT blob FROM {NAIVE_TABLE} WHERE id = :id")
        self._update = sa.text(f"UPDATE {NAIVE_TABLE} SET blob = :blob WHERE id = :id")
        self._insert = sa.text(f"INSERT INTO {NAIVE_TABLE} (id, blob) VALUES (:id, :blob)")

    def __enter__(self) -> NaiveBlobTable:
        with self.db.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {NAIVE_TABLE}")
            conn.exec_driver_sql(f"CREATE TABLE {NAIVE_TABLE} (id INTEGER PRIMARY KEY, blob TEXT NOT NULL)")
        return self

    def __exit__(self, *exc: object) -> None:
        with self.db.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {NAIVE_TABLE}")

    def insert(self, row_id: int, blob: str) -> None:
        """One transaction: store a new workflow blob."""
        with self.db.begin() as conn:
            conn.execute(self._insert, {"id": row_id, "blob": blob})

    def step(self, row_id: int, advance: Callable[[str], str]) -> None:
        """One transaction: read the blob, ``advance`` it, write it back."""
        with self.db.begin() as conn:
            blob = conn.execute(self._select, {"id": row_id}).scalar_one()
            conn.execute(self._update, {"id": row_id, "blob": advance(blob)})


def add_pending_timers(db: sa.Engine, case_id: int, rows: Iterable[tuple[str, datetime]]) -> None:
    """Pending timer rows (task id, due) of ``case_id`` named ``filler``, in one transaction per call."""
    insert = sa.text("INSERT INTO timers (case_id, task_id, bpmn_id, name, kind, due_at, status, fire_count)"
                     " VALUES (:case_id, :task_id, 'wait_until_due', 'filler', 'date', :due_at, 'pending', 0)")
    batch = [{"case_id": case_id, "task_id": task_id, "due_at": due} for task_id, due in rows]
    if batch:
        with db.begin() as conn:
            conn.execute(insert, batch)


@contextmanager
def postgres_schema(database_url: str, name: str, *, keep: bool = False, fresh: bool = False) -> Iterator[str]:
    """A PostgreSQL schema of its own for a bench run: yields the URL whose search path is that schema.

    ``fresh`` drops a schema of that name first; ``keep`` leaves it afterwards (a reused dataset).
    """
    admin = create_db_engine(database_url)
    try:
        with admin.begin() as conn:
            if fresh:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {name}")
        separator = "&" if "?" in database_url else "?"
        yield f"{database_url}{separator}options=-csearch_path%3D{name}"
    finally:
        if not keep:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


def reset_schema(database_url: str, name: str) -> None:
    """Drop and create schema ``name`` again (an unusable reused dataset is rebuilt from nothing)."""
    admin = create_db_engine(database_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    finally:
        admin.dispose()
