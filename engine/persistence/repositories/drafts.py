"""The drafts repository: designers' BPMN and DMN files, one per owner and file name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore

_COLUMNS = ("d.file_name, d.process_id, d.content, d.base_version_id, v.process_id, v.number, d.updated_at,"
            " d.owner FROM process_drafts d LEFT JOIN process_versions v ON v.id = d.base_version_id")


@dataclass(frozen=True)
class Draft:
    """A saved draft; ``base_process_id``/``base_number`` name the deployed version it started from."""

    owner: str
    file_name: str
    process_id: str | None
    content: str
    base_version_id: int | None
    base_process_id: str | None
    base_number: int | None
    updated_at: datetime

    @property
    def size(self) -> int:
        """The content's size in UTF-8 bytes."""
        return len(self.content.encode("utf-8"))


def _draft(row: tuple[Any, ...]) -> Draft:
    return Draft(str(row[7]), str(row[0]), row[1], str(row[2]), row[3], row[4], row[5], as_utc_not_null(row[6]))


class DraftStore:
    """Reads and writes ``process_drafts`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def get(self, owner: str, file_name: str) -> Draft | None:
        """``owner``'s draft ``file_name``."""
        row = self._store._execute(f"SELECT {_COLUMNS} WHERE d.owner = ? AND d.file_name = ?",
                                  (owner, file_name)).fetchone()
        return None if row is None else _draft(row)

    def of_owner(self, owner: str) -> list[Draft]:
        """``owner``'s drafts by file name."""
        rows = self._store._execute(f"SELECT {_COLUMNS} WHERE d.owner = ? ORDER BY d.file_name", (owner,)).fetchall()
        return [_draft(row) for row in rows]

    def version_id(self, process_id: str, number: int) -> int | None:
        """The id of version ``number`` of ``process_id``, the base a draft may name."""
        row = self._store._execute("SELECT id FROM process_versions WHERE process_id = ? AND number = ?",
                                  (process_id, number)).fetchone()
        return None if row is None else int(row[0])

    def save(self, owner: str, file_name: str, process_id: str | None, content: str, base_version_id: int | None,
             now: datetime) -> None:
        """Create or replace the draft."""
        self._store._execute(
            "INSERT INTO process_drafts (owner, file_name, process_id, content, base_version_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner, file_name) DO UPDATE SET process_id = excluded.process_id,"
            " content = excluded.content, base_version_id = excluded.base_version_id,"
            " updated_at = excluded.updated_at",
            (owner, file_name, process_id, content, base_version_id, self._store.dialect.stamp(now)))

    def delete(self, owner: str, file_name: str) -> bool:
        """Delete the draft; False when there was none."""
        cur = self._store._execute("DELETE FROM process_drafts WHERE owner = ? AND file_name = ?", (owner, file_name))
        return bool(cur.rowcount == 1)
