"""Timer rows: the scheduler's due timers, and what the timer bench checks after a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


def due_soon(store: CaseStore, until: datetime, limit: int) -> list[tuple[int, datetime]]:
    """(id, due_at) of pending timers due up to ``until``, earliest first, at most ``limit`` (an index range scan
    on (status, due_at))."""
    rows = store._execute(
        "SELECT id, due_at FROM timers WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
        (store.dialect.stamp(until), limit)).fetchall()
    return [(row[0], as_utc_not_null(row[1])) for row in rows]


def pending_between(store: CaseStore, first_case: int, last_case: int) -> int:
    """Pending timers of the cases ``first_case``..``last_case``."""
    return int(store._execute("SELECT COUNT(*) FROM timers WHERE status = 'pending' AND case_id >= ?"
                             " AND case_id <= ?", (first_case, last_case)).fetchone()[0])


def timers_between(store: CaseStore, first_case: int, last_case: int) -> list[dict[str, Any]]:
    """``{due_at, fired_at, fire_count, status}`` of every timer of the cases ``first_case``..``last_case``."""
    rows = store._execute("SELECT due_at, fired_at, fire_count, status FROM timers WHERE case_id >= ?"
                         " AND case_id <= ?", (first_case, last_case)).fetchall()
    return [{"due_at": as_utc(r[0]), "fired_at": as_utc(r[1]), "fire_count": int(r[2]), "status": r[3]} for r in rows]


def firings_per_task(store: CaseStore, first_case: int, last_case: int) -> list[tuple[str, int]]:
    """(task id, ``timer_fired`` events) of the cases ``first_case``..``last_case``."""
    return [(r[0], int(r[1])) for r in store._execute(
        "SELECT task_id, COUNT(*) FROM case_events WHERE event_type = 'timer_fired' AND case_id >= ?"
        " AND case_id <= ? GROUP BY task_id", (first_case, last_case)).fetchall()]
