"""The case links repository: both directions of a duplicate link, or of a case and its enforcement case, written in
the command's transaction."""

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

    def link_enforcement(self, origin_id: int, enforcement_id: int, actor: str, now: datetime,
                         note: str | None) -> None:
        """``origin_id`` was transferred to enforcement case ``enforcement_id`` (转执法): ``has_enforcement`` one way,
        ``enforcement_of`` the other; a link already there is left as it is."""
        stamp = self._store.dialect.stamp(now)
        for case_id, linked_id, kind in ((origin_id, enforcement_id, "has_enforcement"),
                                         (enforcement_id, origin_id, "enforcement_of")):
            self._store._execute(
                "INSERT INTO case_links (case_id, linked_case_id, kind, note, created_at, created_by)"
                " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM case_links WHERE case_id = ?"
                " AND linked_case_id = ? AND kind = ?)",
                (case_id, linked_id, kind, note, stamp, actor, case_id, linked_id, kind))
