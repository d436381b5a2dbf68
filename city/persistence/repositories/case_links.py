"""The case links repository: both directions of a duplicate link, or of a case and its enforcement case, written in
the command's transaction."""

from __future__ import annotations

from datetime import datetime

from engine.persistence.repositories.cases import CaseStore


class CaseLinkStore:
    """Writes ``case_links`` (``uow.repository(CaseLinkStore)``)."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def _link(self, case_id: int, linked_id: int, kind: str, back_kind: str, actor: str, now: datetime,
              note: str | None) -> None:
        """Both directions of a link: ``case_id`` is ``kind`` of ``linked_id``, which is ``back_kind`` of it."""
        stamp = self._store.dialect.stamp(now)
        self._store._executemany(
            "INSERT INTO case_links (case_id, linked_case_id, kind, note, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(case_id, linked_id, kind, note, stamp, actor), (linked_id, case_id, back_kind, note, stamp, actor)])

    def link_duplicate(self, duplicate_id: int, original_id: int, actor: str, now: datetime,
                       note: str | None) -> None:
        """``duplicate_id`` is a duplicate of ``original_id``, and the original has that duplicate: two rows."""
        self._link(duplicate_id, original_id, "duplicate_of", "has_duplicate", actor, now, note)

    def link_enforcement(self, origin_id: int, enforcement_id: int, actor: str, now: datetime,
                         note: str | None) -> None:
        """``origin_id`` was transferred to enforcement case ``enforcement_id`` (转执法): ``has_enforcement`` one way,
        ``enforcement_of`` the other. Written once, when the enforcement case ends (a case ends once)."""
        self._link(origin_id, enforcement_id, "has_enforcement", "enforcement_of", actor, now, note)
