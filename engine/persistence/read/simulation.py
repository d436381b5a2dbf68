"""Reads for the demo simulator: only the cases it reported itself (external ids with its run's prefix).

A simulation runs on its own clock; touching anyone else's case would date their steps wrongly.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore

_OWN = " JOIN cases c ON c.id = {alias}.case_id AND c.external_id LIKE ?"


def _like(prefix: str) -> str:
    if "%" in prefix or "_" in prefix:
        raise ValueError(f"a case prefix is plain text, not a LIKE pattern: {prefix!r}")
    return prefix + "%"


def next_timer_due(store: CaseStore, prefix: str) -> datetime | None:
    """When the first pending timer of the simulator's cases is due."""
    row = store._execute("SELECT MIN(t.due_at) FROM timers t" + _OWN.format(alias="t") + " WHERE t.status = 'pending'",
                        (_like(prefix),)).fetchone()
    return as_utc(row[0]) if row and row[0] is not None else None


def due_timers(store: CaseStore, prefix: str, until: datetime) -> list[tuple[int, datetime]]:
    """(id, due) of the simulator's pending timers due by ``until``, earliest first."""
    rows = store._execute("SELECT t.id, t.due_at FROM timers t" + _OWN.format(alias="t")
                         + " WHERE t.status = 'pending' AND t.due_at <= ? ORDER BY t.due_at, t.id",
                         (_like(prefix), store.dialect.stamp(until))).fetchall()
    return [(r[0], as_utc_not_null(r[1])) for r in rows]


def ready_task_ids(store: CaseStore, prefix: str) -> list[tuple[int, str]]:
    """(case id, task id) of every ready human task of the simulator's cases."""
    return [(r[0], r[1]) for r in store._execute("SELECT h.case_id, h.id FROM human_tasks h" + _OWN.format(alias="h")
                                                + " WHERE h.state = 'ready'", (_like(prefix),)).fetchall()]


def case_ready_tasks(store: CaseStore, case_id: int) -> list[tuple[str, str, str | None]]:
    """(id, BPMN id, candidate group) of a case's ready tasks, in the order the process made them."""
    # Ordered by what the process did, not by task id (random UUIDs): the same seed, the same draws.
    return [(r[0], r[1], r[2]) for r in store._execute(
        "SELECT id, bpmn_id, candidate_group FROM human_tasks WHERE case_id = ? AND state = 'ready'"
        " ORDER BY created_at, bpmn_id", (case_id,)).fetchall()]


def pending_timer_due(store: CaseStore, case_id: int, bpmn_id: str) -> datetime | None:
    """When a case's pending timer ``bpmn_id`` is due."""
    row = store._execute("SELECT due_at FROM timers WHERE case_id = ? AND status = 'pending' AND bpmn_id = ?",
                        (case_id, bpmn_id)).fetchone()
    return as_utc(row[0]) if row else None


def ready_task_data(store: CaseStore, case_id: int, task_id: str) -> dict[str, Any] | None:
    """The data a ready task of the case sees; None once it is no longer ready."""
    row = store._execute(
        "SELECT d.data FROM human_tasks h JOIN workflow_tasks t ON t.case_id = h.case_id AND t.task_id = h.id"
        " JOIN task_data d ON d.case_id = t.case_id AND d.hash = t.data_hash"
        " WHERE h.case_id = ? AND h.id = ? AND h.state = 'ready'", (case_id, task_id)).fetchone()
    return json.loads(row[0]) if row else None


def case_outcomes(store: CaseStore, prefix: str) -> list[tuple[int, str, dict[str, Any], set[str]]]:
    """(id, status, case data, BPMN ids of ready tasks) of every case the simulator reported."""
    cases = store._execute("SELECT id, status, workflow_json FROM cases WHERE external_id LIKE ? ORDER BY id",
                          (_like(prefix),)).fetchall()
    ready: dict[int, set[str]] = {}
    for case_id, bpmn_id in store._execute("SELECT h.case_id, h.bpmn_id FROM human_tasks h" + _OWN.format(alias="h")
                                          + " WHERE h.state = 'ready'", (_like(prefix),)).fetchall():
        ready.setdefault(case_id, set()).add(bpmn_id)
    return [(r[0], r[1], json.loads(r[2]).get("data", {}), ready.get(r[0], set())) for r in cases]
