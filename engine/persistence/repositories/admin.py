"""The admin repository: the catalogue rows an admin edits one at a time (departments, subtypes, users' role and
place), what is disabled (``disabled_entries``) and the history of every admin change (``admin_changes``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

DEPARTMENT_FIELDS = ("code", "name_zh", "name_en", "level", "district_code")
SUBTYPE_FIELDS = ("code", "kind", "major_code", "major_name_zh", "name_zh", "name_en", "aspect_code",
                  "default_urgency", "limit_amount", "limit_unit", "closing_standard", "video_ai", "national_code")
USER_FIELDS = ("username", "display_name", "role", "department_code", "district_code")
_TABLES = {"department": ("departments", DEPARTMENT_FIELDS, "code"), "subtype": ("subtypes", SUBTYPE_FIELDS, "code"),
           "user": ("users", USER_FIELDS, "username")}


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class AdminStore:
    """Reads and writes the admin's objects in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def row(self, kind: str, key: str) -> dict[str, Any] | None:
        """The department, subtype or user ``key`` as a dict of its fields (no password hash), or None."""
        table, fields, pk = _TABLES[kind]
        found = self._store._execute(f"SELECT {', '.join(fields)} FROM {table} WHERE {pk} = ?", (key,)).fetchone()
        if found is None:
            return None
        row = dict(zip(fields, found, strict=True))
        if "video_ai" in row:
            row["video_ai"] = bool(row["video_ai"])
        return row

    def insert(self, kind: str, row: dict[str, Any]) -> None:
        """Insert a department or subtype with every field of its kind."""
        table, fields, _ = _TABLES[kind]
        marks = ", ".join("?" for _ in fields)
        self._store._execute(f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})",
                             tuple(row[f] for f in fields))

    def update(self, kind: str, key: str, changes: dict[str, Any]) -> None:
        """Set ``changes`` (field → value, fields of the kind only) on the row ``key``."""
        table, fields, pk = _TABLES[kind]
        names = [f for f in changes if f in fields and f != pk]
        if names:
            self._store._execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)} WHERE {pk} = ?",
                                 (*(changes[n] for n in names), key))

    def is_disabled(self, kind: str, key: str) -> bool:
        """True when an admin disabled ``key``."""
        return self._store._execute("SELECT 1 FROM disabled_entries WHERE kind = ? AND key = ?",
                                    (kind, key)).fetchone() is not None

    def disable(self, kind: str, key: str, now: datetime, actor: str) -> None:
        """Mark ``key`` disabled (the caller checked it was not)."""
        self._store._execute("INSERT INTO disabled_entries (kind, key, disabled_at, disabled_by) VALUES (?, ?, ?, ?)",
                             (kind, key, self._store.dialect.stamp(now), actor))

    def enable(self, kind: str, key: str) -> None:
        """Remove the disabled mark of ``key``."""
        self._store._execute("DELETE FROM disabled_entries WHERE kind = ? AND key = ?", (kind, key))

    def open_tasks_of_group(self, group: str) -> int:
        """How many tasks not completed are offered to the candidate group ``group`` (a department's code)."""
        row = self._store._execute("SELECT COUNT(*) FROM human_tasks WHERE candidate_group = ?"
                                   " AND state <> 'completed'", (group,)).fetchone()
        return int(row[0])

    def users_of_department(self, code: str) -> list[str]:
        """The usernames working in department ``code``."""
        rows = self._store._execute("SELECT username FROM users WHERE department_code = ? ORDER BY username",
                                    (code,)).fetchall()
        return [str(r[0]) for r in rows]

    def aspect_exists(self, code: str) -> bool:
        """True when the catalogue has aspect ``code``."""
        return self._store._execute("SELECT 1 FROM aspects WHERE code = ?", (code,)).fetchone() is not None

    def record_change(self, kind: str, key: str, action: str, before: dict[str, Any] | None,
                      after: dict[str, Any] | None, actor: str, now: datetime, comment: str = "") -> int:
        """Keep one admin change (its version of the object); returns its id."""
        row = self._store._execute(
            "INSERT INTO admin_changes (kind, key, action, before, after, actor, at, comment)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (kind, key, action, _json(before), _json(after), actor, self._store.dialect.stamp(now), comment)).fetchone()
        return int(row[0])

    # -- channels (the city package's table, migration 0023) -------------------------------------

    def channels(self) -> list[dict[str, Any]]:
        """Every stored channel in order (empty when no package filled the table)."""
        rows = self._store._execute("SELECT code, name_zh, name_en, urgent, active, position FROM channels"
                                    " ORDER BY position, code").fetchall()
        return [{"code": r[0], "name_zh": r[1], "name_en": r[2], "urgent": bool(r[3]), "active": bool(r[4]),
                 "position": int(r[5])} for r in rows]

    def put_channel(self, channel: dict[str, Any], new: bool) -> None:
        """Insert (``new``) or update a channel: code, names, urgent, active, position."""
        values = (channel["name_zh"], channel["name_en"], bool(channel["urgent"]), bool(channel["active"]),
                  int(channel["position"]), channel["code"])
        if new:
            self._store._execute("INSERT INTO channels (name_zh, name_en, urgent, active, position, code)"
                                 " VALUES (?, ?, ?, ?, ?, ?)", values)
        else:
            self._store._execute("UPDATE channels SET name_zh = ?, name_en = ?, urgent = ?, active = ?, position = ?"
                                 " WHERE code = ?", values)
