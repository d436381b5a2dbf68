"""Reads of the duty calendar: the stored versions (the engine's working time builds the calendar from them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class StoredDutyVersion:
    """A row of duty_calendar_versions."""

    id: int
    effective_from: date
    content: str
    sha256: str
    loaded_at: datetime
    loaded_by: str
    comment: str


def versions(store: CaseStore) -> list[StoredDutyVersion]:
    """Every stored version in load order (oldest first)."""
    rows = store._execute("SELECT id, effective_from, content, sha256, loaded_at, loaded_by, comment"
                          " FROM duty_calendar_versions ORDER BY id").fetchall()
    return [StoredDutyVersion(int(r[0]), date.fromisoformat(str(r[1])[:10]), str(r[2]), str(r[3]),
                              as_utc_not_null(r[4]), str(r[5]), str(r[6])) for r in rows]


def newest_id(store: CaseStore) -> int | None:
    """The id of the last loaded version (None: none loaded), to tell whether a cached calendar is stale."""
    row = store._execute("SELECT MAX(id) FROM duty_calendar_versions").fetchone()
    return None if row is None or row[0] is None else int(row[0])
