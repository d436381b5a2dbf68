"""The step clock's writes: which ready tasks of a locked case are past their warning or due time and not yet
recorded so, and recording it (``human_tasks.warned_at`` / ``overdue_at``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class ClockedTask:
    """A ready task the clock has something to record for: its warning, its overdue, or both."""

    task_id: str
    bpmn_id: str
    step: str
    warn_at: datetime | None
    due_at: datetime | None
    escalate_to: str | None
    warn: bool  # past its warning time, not yet warned
    overdue: bool  # past its due time, not yet recorded overdue


class ClockStore:
    """Reads and writes the step clock's columns of ``human_tasks`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def pending(self, case_id: int, now: datetime) -> list[ClockedTask]:
        """The case's ready tasks with a step that are past a limit not yet recorded, oldest first (read under the
        case's lock, so a task completed meanwhile is no longer among them)."""
        stamp = self._store.dialect.stamp(now)
        rows = self._store._execute(
            "SELECT id, bpmn_id, step, warn_at, due_at, escalate_to,"
            " CASE WHEN warned_at IS NULL AND warn_at <= ? THEN 1 ELSE 0 END,"
            " CASE WHEN overdue_at IS NULL AND due_at <= ? THEN 1 ELSE 0 END"
            " FROM human_tasks WHERE case_id = ? AND state = 'ready' AND step IS NOT NULL"
            " AND ((warned_at IS NULL AND warn_at <= ?) OR (overdue_at IS NULL AND due_at <= ?))"
            " ORDER BY created_at, id", (stamp, stamp, case_id, stamp, stamp)).fetchall()
        return [ClockedTask(r[0], r[1], r[2], as_utc(r[3]), as_utc(r[4]), r[5], bool(r[6]), bool(r[7]))
                for r in rows]

    def record(self, warned: Iterable[str], overdue: Iterable[str], now: datetime) -> None:
        """Note when the warning and the overdue of these tasks were recorded (each once)."""
        stamp = self._store.dialect.stamp(now)
        self._store._executemany("UPDATE human_tasks SET warned_at = ? WHERE id = ? AND warned_at IS NULL",
                                 ((stamp, tid) for tid in warned))
        self._store._executemany("UPDATE human_tasks SET overdue_at = ? WHERE id = ? AND overdue_at IS NULL",
                                 ((stamp, tid) for tid in overdue))
