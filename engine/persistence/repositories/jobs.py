"""External-worker jobs and incidents (tables ``jobs``, ``incidents``): the writes, in the unit of work's transaction.

Bound with ``uow.repository(JobStore)``. Fetch-and-lock takes the rows ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
workers fetching at once get different jobs); on SQLite the writing transaction (``BEGIN IMMEDIATE``) is the only
writer, so the rows it reads and locks are its own until it commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.events import canonical_json
from engine.domain.jobs import INCIDENT, OPEN, JobView, LockedJob, initial_retries
from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore

_JOB_COLUMNS = ("id, case_id, task_id, bpmn_id, topic, state, retries, retry_at, lock_owner, lock_expires_at,"
                " created_at, error_message, retry_backoff_ms")


@dataclass(frozen=True)
class JobRow:
    """A job as a command checks it (without its variables)."""

    id: int
    case_id: int
    task_id: str
    bpmn_id: str
    topic: str
    state: str
    retries: int | None
    retry_at: datetime | None
    lock_owner: str | None
    lock_expires_at: datetime | None
    created_at: datetime
    error_message: str | None
    retry_backoff_ms: int | None = None  # the model's (None: a job opened before models carried it)


def _job(row: Sequence[Any]) -> JobRow:
    return JobRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], as_utc(row[7]), row[8], as_utc(row[9]),
                  as_utc_not_null(row[10]), row[11], row[12])


@dataclass(frozen=True)
class IncidentRow:
    """An incident as a command checks it."""

    id: int
    kind: str
    case_id: int
    element: str | None
    task_id: str | None
    job_id: int | None
    timer_id: int | None
    resolved_at: datetime | None


class JobStore:
    """Reads and writes ``jobs`` and ``incidents`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    # -- what a step writes ------------------------------------------------------------------------

    def open_jobs(self, case_id: int, jobs: Iterable[JobView], now: datetime) -> None:
        """The jobs a step opened (their task reached, waiting for a worker or a connector), with the model's
        retries (as attempts left) and back-off."""
        stamp = self._store.dialect.stamp(now)
        self._store._executemany(
            "INSERT INTO jobs (case_id, task_id, bpmn_id, topic, variables, state, created_at, retries,"
            f" retry_backoff_ms, connector_call) VALUES (?, ?, ?, ?, ?, '{OPEN}', ?, ?, ?, ?)",
            ((case_id, j.task_id, j.bpmn_id, j.topic, canonical_json(j.variables), stamp, initial_retries(j.retries),
              j.retry_backoff_ms, None if j.call is None else canonical_json(j.call)) for j in jobs))

    def end_jobs(self, ended: Iterable[tuple[str, str]], now: datetime) -> None:
        """Jobs whose task the workflow ended (cancelled by a boundary event, removed with its branch); a job a
        command already ended (completed, errored) keeps its state."""
        stamp = self._store.dialect.stamp(now)
        self._store._executemany(
            "UPDATE jobs SET state = ?, completed_at = ?, lock_owner = NULL, lock_expires_at = NULL"
            f" WHERE task_id = ? AND state IN ('{OPEN}', '{INCIDENT}')",
            ((state, stamp, task_id) for task_id, state in ended))

    # -- what the job commands do -------------------------------------------------------------------

    def job_case(self, job_id: int) -> int | None:
        """The case of a job (None: no such job)."""
        row = self._store._execute("SELECT case_id FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else int(row[0])

    def lock_job(self, job_id: int) -> JobRow | None:
        """The job, locked for this transaction (take its case's lock first)."""
        row = self._store._execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?{self._store.dialect.for_update}",
                                   (job_id,)).fetchone()
        return None if row is None else _job(row)

    def fetch_and_lock(self, worker_id: str, topic: str, lock_until: datetime, limit: int,
                       now: datetime) -> list[LockedJob]:
        """Lock up to ``limit`` fetchable jobs of ``topic`` (oldest first) for ``worker_id`` until ``lock_until``."""
        stamp = self._store.dialect.stamp
        rows = self._store._execute(
            "SELECT id FROM jobs WHERE state = ? AND topic = ? AND (lock_expires_at IS NULL OR lock_expires_at <= ?)"
            " AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id LIMIT ?" + self._store.dialect.skip_locked,
            (OPEN, topic, stamp(now), stamp(now), limit)).fetchall()
        ids = [int(r[0]) for r in rows]
        if not ids:
            return []
        self._store._executemany("UPDATE jobs SET lock_owner = ?, lock_expires_at = ?, locked_at = ? WHERE id = ?",
                                 ((worker_id, stamp(lock_until), stamp(now), job_id) for job_id in ids))
        marks = ", ".join("?" for _ in ids)
        found = self._store._execute(
            "SELECT id, case_id, task_id, bpmn_id, topic, variables, retries, lock_expires_at, created_at,"
            f" connector_call FROM jobs WHERE id IN ({marks}) ORDER BY id", ids).fetchall()
        return [LockedJob(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], as_utc_not_null(r[7]),
                          as_utc_not_null(r[8]), None if r[9] is None else json.loads(r[9])) for r in found]

    def finish_job(self, job_id: int, state: str, now: datetime, error: str | None = None) -> None:
        """The job is done with: completed, errored (a BPMN error) or an incident (no retries left)."""
        retries = ", retries = 0" if state == INCIDENT else ""
        self._store._execute("UPDATE jobs SET state = ?, completed_at = ?, error_message = COALESCE(?, error_message),"
                             f" lock_owner = NULL, lock_expires_at = NULL{retries} WHERE id = ?",
                             (state, self._store.dialect.stamp(now), error, job_id))

    def retry_later(self, job_id: int, retries: int, retry_at: datetime, error: str) -> None:
        """A failure with retries left: unlocked, fetchable again from ``retry_at``."""
        self._store._execute("UPDATE jobs SET retries = ?, retry_at = ?, error_message = ?, lock_owner = NULL,"
                             " lock_expires_at = NULL WHERE id = ?",
                             (retries, self._store.dialect.stamp(retry_at), error, job_id))

    def extend_lock(self, job_id: int, until: datetime) -> None:
        self._store._execute("UPDATE jobs SET lock_expires_at = ? WHERE id = ?",
                             (self._store.dialect.stamp(until), job_id))

    def reopen_job(self, job_id: int, retries: int) -> None:
        """An operator's retry: open again with ``retries``, fetchable at once."""
        self._store._execute("UPDATE jobs SET state = ?, retries = ?, retry_at = NULL, completed_at = NULL,"
                             " lock_owner = NULL, lock_expires_at = NULL WHERE id = ?", (OPEN, retries, job_id))

    # -- incidents ----------------------------------------------------------------------------------

    def open_incident(self, kind: str, case_id: int, element: str | None, task_id: str | None, message: str,
                      now: datetime, *, job_id: int | None = None, timer_id: int | None = None) -> None:
        self._store._execute(
            "INSERT INTO incidents (kind, case_id, element, task_id, job_id, timer_id, message, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, case_id, element, task_id, job_id, timer_id, message[:2000], self._store.dialect.stamp(now)))

    def open_timer_incident(self, timer_id: int, message: str, now: datetime) -> None:
        """A timer whose firing failed needs an operator: an incident naming its case, element and task."""
        self._store._execute(
            "INSERT INTO incidents (kind, case_id, element, task_id, timer_id, message, created_at)"
            " SELECT 'timer', case_id, bpmn_id, task_id, id, ?, ? FROM timers WHERE id = ?",
            (message[:2000], self._store.dialect.stamp(now), timer_id))

    def incident_case(self, incident_id: int) -> int | None:
        row = self._store._execute("SELECT case_id FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return None if row is None else int(row[0])

    def lock_incident(self, incident_id: int) -> IncidentRow | None:
        """The incident, locked for this transaction (take its case's lock first)."""
        row = self._store._execute(
            "SELECT id, kind, case_id, element, task_id, job_id, timer_id, resolved_at FROM incidents WHERE id = ?"
            + self._store.dialect.for_update, (incident_id,)).fetchone()
        if row is None:
            return None
        return IncidentRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], as_utc(row[7]))

    def close_incident(self, incident_id: int, resolution: str, actor: str, note: str, now: datetime) -> None:
        self._store._execute("UPDATE incidents SET resolved_at = ?, resolved_by = ?, resolution = ?, note = ?"
                             " WHERE id = ?", (self._store.dialect.stamp(now), actor, resolution, note, incident_id))

    def rearm_timer(self, timer_id: int) -> bool:
        """A failed timer pending again (the scheduler fires it at its due time, long past); False: not failed."""
        cur = self._store._execute("UPDATE timers SET status = 'pending', error = NULL WHERE id = ?"
                                   " AND status = 'failed'", (timer_id,))
        return bool(cur.rowcount)

    def timer_of_task(self, task_id: str) -> tuple[int, str] | None:
        """(timer id, BPMN id) of the timer row of ``task_id``."""
        row = self._store._execute("SELECT id, bpmn_id FROM timers WHERE task_id = ?", (task_id,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))
