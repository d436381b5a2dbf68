"""The attachments repository: which evidence files (by sha256) belong to which case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore


class AttachmentStore:
    """Reads and writes ``attachments`` in the unit of work's transaction (the bytes live on disk)."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def add(self, case_id: int, digest: str, filename: str, content_type: str, size: int, uploaded_by: str,
            now: datetime) -> bool:
        """Record the file for the case unless the same bytes are already recorded; True when added."""
        store = self._store
        if store._execute("SELECT 1 FROM attachments WHERE case_id = ? AND sha256 = ?",
                         (case_id, digest)).fetchone() is not None:
            return False
        store._execute("INSERT INTO attachments (case_id, sha256, filename, content_type, size, uploaded_by,"
                      " uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (case_id, digest, filename, content_type, size, uploaded_by, store.dialect.stamp(now)))
        return True

    def get(self, case_id: int, digest: str) -> dict[str, Any] | None:
        """One attachment's record (``uploaded_at`` as an aware datetime)."""
        row = self._store._execute("SELECT filename, content_type, size, uploaded_by, uploaded_at FROM attachments"
                                  " WHERE case_id = ? AND sha256 = ?", (case_id, digest)).fetchone()
        if row is None:
            return None
        return {"sha256": digest, "filename": row[0], "content_type": row[1], "size": row[2], "uploaded_by": row[3],
                "uploaded_at": as_utc(row[4])}

    def of_case(self, case_id: int) -> list[dict[str, Any]]:
        """Every attachment of a case, oldest first."""
        rows = self._store._execute("SELECT sha256, filename, content_type, size FROM attachments WHERE case_id = ?"
                                   " ORDER BY uploaded_at, sha256", (case_id,)).fetchall()
        return [{"sha256": r[0], "filename": r[1], "content_type": r[2], "size": r[3]} for r in rows]
