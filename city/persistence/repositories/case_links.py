"""The case links repository: both directions of a duplicate link, written in the command's transaction."""

from __future__ import annotations

from datetime import datetime

from engine.persistence.repositories.cases import CaseStore


class CaseLinkStore:
    """Writes ``case_links`` (``uow.repository(CaseLinkStore)``)."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def link_duplicate(self, duplicate_id: int, original_id: int, actor: str, now: datetime,
                       note: str | None) -> None:
        """``duplicate_id`` is a duplicate of ``original_id``, and the original has that duplicate: two rows."""
        stamp = self._store.dialect.stamp(now)
        self._store._executemany(
            "INSERT INTO case_links (case_id, linked_case_id, kind, note, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(duplicate_id, original_id, "duplicate_of", note, stamp, actor),
             (original_id, duplicate_id, "has_duplicate", note, stamp, actor)])
