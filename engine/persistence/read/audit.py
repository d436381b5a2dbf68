"""The auditor's finder: cases of every process by process, department, subtype and start time, with their
summaries' counters (a case of another process than the lifecycle has no department or subtype: it is found by its
process and period)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

LIST_COLUMNS = ("case_id", "case_no", "channel", "subtype", "district", "department", "description", "due_at",
                "counters", "evaluation", "status", "started_at", "completed_at", "process_id", "started_by")


def _where(store: CaseStore, department: str | None, subtype: str | None, started_from: datetime | None,
           started_before: datetime | None, process_id: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("s.department", department), ("s.subtype", subtype), ("c.process_id", process_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if started_from is not None:
        clauses.append("c.started_at >= ?")
        params.append(store.dialect.stamp(started_from))
    if started_before is not None:
        clauses.append("c.started_at < ?")
        params.append(store.dialect.stamp(started_before))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def audit_rows(store: CaseStore, *, department: str | None = None, subtype: str | None = None,
               started_from: datetime | None = None, started_before: datetime | None = None,
               process_id: str | None = None) -> list[dict[str, Any]]:
    """Live cases (``LIST_COLUMNS``; counters and evaluation as JSON text) started in ``[started_from,
    started_before)``, of the department, subtype and process when given, newest first."""
    where, params = _where(store, department, subtype, started_from, started_before, process_id)
    rows = store._execute(
        "SELECT s.case_id, s.case_no, s.channel, s.subtype, s.district, s.department, s.description, s.due_at,"
        " s.counters, s.evaluation, c.status, c.started_at, c.completed_at, c.process_id, c.started_by"
        f" FROM case_summaries s JOIN cases c ON c.id = s.case_id{where} ORDER BY c.started_at DESC, c.id DESC",
        params).fetchall()
    return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in rows]
