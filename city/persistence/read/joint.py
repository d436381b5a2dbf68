"""The evaluations of a period's closed live cases, for the co-handling (协办) KPI (``city.kpi.joint``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.domain.periods import Period
from engine.persistence.repositories.cases import CaseStore


def closed_evaluations(store: CaseStore, period: Period, as_of: datetime) -> list[dict[str, Any]]:
    """The evaluation (the workflow's end data) of each case reported in ``period`` and closed by ``as_of``
    that had co-handling departments; imported history has none."""
    first, last = period.months
    rows = store._execute(
        "SELECT c.workflow_json FROM case_facts f JOIN cases c ON c.id = f.case_id"
        " WHERE f.source = 'live' AND f.result = 'closed' AND f.closed_at <= ?"
        " AND f.month >= ? AND f.month <= ? AND f.reported_at >= ? AND f.reported_at < ?"
        " AND c.workflow_json LIKE ?",  # a cheap filter: co-handling entries carry answered_at
        [store.dialect.stamp(as_of), first, last, store.dialect.stamp(period.start),
         store.dialect.stamp(period.end), '%"answered_at"%']).fetchall()
    found = []
    for (text,) in rows:
        evaluation = json.loads(text).get("data", {}).get("evaluation")
        if isinstance(evaluation, dict):
            found.append(evaluation)
    return found
