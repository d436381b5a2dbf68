"""The duty calendar repository: stores loaded versions of the city's duty calendar (duty_calendar_versions)."""

from __future__ import annotations

from datetime import date, datetime

from engine.persistence.repositories.cases import CaseStore


class DutyCalendarStore:
    """Writes ``duty_calendar_versions`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def has(self, effective_from: date, sha256: str) -> bool:
        """True when the newest version effective from this date has this content (loading it again adds nothing)."""
        row = self._store._execute("SELECT sha256 FROM duty_calendar_versions WHERE effective_from = ?"
                                   " ORDER BY id DESC LIMIT 1", (effective_from.isoformat(),)).fetchone()
        return row is not None and str(row[0]) == sha256

    def add(self, effective_from: date, content: str, sha256: str, now: datetime, actor: str, comment: str) -> int:
        """Store a version; returns its id."""
        row = self._store._execute(
            "INSERT INTO duty_calendar_versions (effective_from, content, sha256, loaded_at, loaded_by, comment)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (effective_from.isoformat(), content, sha256, self._store.dialect.stamp(now), actor, comment)).fetchone()
        return int(row[0])
