"""Imported history cases: a case number that names no live case may name one kept only as facts."""

from __future__ import annotations

from typing import Any

from city.facts.model import COUNTERS
from engine.persistence.repositories.cases import CaseStore

HISTORY_TIMES = ("reported_at", "verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at")
HISTORY_COLUMNS = ("case_no", "channel", "subtype", "district", "resp_grid", "unit_grid", "lon", "lat", "department",
                   "due_at", "result", "void_reason", "close_type", "closed_on_time", "reporter", "verifier",
                   "dispatcher", "checker", "returned_by", *HISTORY_TIMES, *COUNTERS)


def history_facts(store: CaseStore, number: str) -> dict[str, Any] | None:
    """An imported history case's facts (``HISTORY_COLUMNS``), or None."""
    row = store._execute(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM case_facts WHERE case_no = ?"
                        " AND source = 'history'", (number,)).fetchone()
    return None if row is None else dict(zip(HISTORY_COLUMNS, row, strict=True))
