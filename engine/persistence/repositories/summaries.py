"""Writing and reading the case summaries (``case_summaries``): the read model of lists and case pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from engine.domain.summary import CaseSummary, case_no
from engine.persistence.repositories.cases import CaseStore

COLUMNS = ("channel", "subtype", "description", "district", "resp_grid", "unit_grid", "lon", "lat", "urgency",
           "department", "due_at", "warn_at", "counters", "evaluation")


def _values(store: CaseStore, summary: CaseSummary) -> list[object]:
    values: list[object] = []
    for column in COLUMNS:
        value = getattr(summary, column)
        if column in ("due_at", "warn_at"):
            value = store.dialect.stamp(value)
        elif column in ("counters", "evaluation") and value is not None:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        values.append(value)
    return values


def write_summary(store: CaseStore, case_id: int, summary: CaseSummary, now: datetime,
                  new_case_started_at: datetime | None = None) -> None:
    """Update the case's summary, creating it (with its case number) the first time.

    ``new_case_started_at``: the case was inserted in this transaction at that time (its first step), so it has no
    summary yet: inserted at once, without trying an update and reading the start time back."""
    values = _values(store, summary)
    started_at = new_case_started_at
    if started_at is None:
        assignments = ", ".join(f"{c} = ?" for c in COLUMNS)
        updated = store._execute(f"UPDATE case_summaries SET {assignments}, updated_at = ? WHERE case_id = ?",
                                (*values, store.dialect.stamp(now), case_id)).rowcount
        if updated:
            return
        started = store._execute("SELECT started_at FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        started_at = started if isinstance(started, datetime) else datetime.fromisoformat(str(started))
        if started_at.tzinfo is None:  # SQLite keeps naive UTC
            started_at = started_at.replace(tzinfo=UTC)
    columns = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    number = case_no(case_id, started_at)
    store._execute(f"INSERT INTO case_summaries (case_id, case_no, {columns}, updated_at) VALUES (?, ?, {marks}, ?)",
                  (case_id, number, *values, store.dialect.stamp(now)))
    store.case_numbers[case_id] = number


def live_case_no(store: CaseStore, case_id: int) -> str | None:
    """The case number the summary gave a live case."""
    known = store.case_numbers.get(case_id)
    if known is not None:
        return known
    row = store._execute("SELECT case_no FROM case_summaries WHERE case_id = ?", (case_id,)).fetchone()
    if row is None:
        return None
    store.case_numbers[case_id] = str(row[0])
    return str(row[0])
