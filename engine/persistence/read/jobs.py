"""Reads of external-worker jobs and incidents: the operations page, the API, the jobs bench's checks."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

_INCIDENT_COLUMNS = ("id", "kind", "case_id", "case_no", "process_id", "element", "task_id", "job_id", "timer_id",
                     "message", "created_at", "resolved_at", "resolved_by", "resolution", "note", "topic", "retries")
_TIMES = ("created_at", "resolved_at")


def incidents(store: CaseStore, *, open_only: bool = True, limit: int = 200,
              incident_id: int | None = None) -> list[dict[str, Any]]:
    """Incidents, newest first (only the open ones by default; or the one ``incident_id``), with the case's number
    and the job's topic."""
    where, params = (" WHERE i.resolved_at IS NULL", [limit]) if open_only else ("", [limit])
    if incident_id is not None:
        where, params = " WHERE i.id = ?", [incident_id, limit]
    rows = store._execute(
        "SELECT i.id, i.kind, i.case_id, s.case_no, c.process_id, i.element, i.task_id, i.job_id, i.timer_id,"
        " i.message, i.created_at, i.resolved_at, i.resolved_by, i.resolution, i.note, jb.topic, jb.retries"
        " FROM incidents i JOIN cases c ON c.id = i.case_id LEFT JOIN case_summaries s ON s.case_id = i.case_id"
        f" LEFT JOIN jobs jb ON jb.id = i.job_id{where} ORDER BY i.created_at DESC, i.id DESC LIMIT ?",
        params).fetchall()
    return [_incident(row) for row in rows]


def _incident(row: Any) -> dict[str, Any]:
    found = dict(zip(_INCIDENT_COLUMNS, row, strict=True))
    for name in _TIMES:
        found[name] = as_utc(found[name])
    return found


def incident(store: CaseStore, incident_id: int) -> dict[str, Any] | None:
    """One incident (open or not), or None."""
    found = incidents(store, open_only=False, incident_id=incident_id)
    return found[0] if found else None


def job(store: CaseStore, job_id: int) -> dict[str, Any] | None:
    """A job's row as the API shows it (a connector job with its prepared call), or None."""
    row = store._execute("SELECT id, case_id, task_id, bpmn_id, topic, state, retries, retry_at, lock_owner,"
                         " lock_expires_at, created_at, locked_at, completed_at, error_message, retry_backoff_ms,"
                         " connector_call FROM jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        return None
    names = ("id", "case_id", "task_id", "bpmn_id", "topic", "state", "retries", "retry_at", "lock_owner",
             "lock_expires_at", "created_at", "locked_at", "completed_at", "error_message", "retry_backoff_ms",
             "connector_call")
    found = dict(zip(names, row, strict=True))
    found["connector_call"] = None if found["connector_call"] is None else json.loads(found["connector_call"])
    for name in ("retry_at", "lock_expires_at", "created_at", "locked_at", "completed_at"):
        found[name] = as_utc(found[name])
    return found


def job_states(store: CaseStore, first_case: int, last_case: int) -> dict[str, int]:
    """Jobs of the cases ``first_case``..``last_case`` by state."""
    return {r[0]: int(r[1]) for r in store._execute(
        "SELECT state, COUNT(*) FROM jobs WHERE case_id >= ? AND case_id <= ? GROUP BY state",
        (first_case, last_case)).fetchall()}


def completions_per_job(store: CaseStore, first_case: int, last_case: int) -> list[tuple[str, int]]:
    """(task id, ``job_completed`` events) of the cases ``first_case``..``last_case``."""
    return [(r[0], int(r[1])) for r in store._execute(
        "SELECT task_id, COUNT(*) FROM case_events WHERE event_type = 'job_completed' AND case_id >= ?"
        " AND case_id <= ? GROUP BY task_id", (first_case, last_case)).fetchall()]
