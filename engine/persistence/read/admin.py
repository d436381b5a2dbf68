"""Reads of the admin pages: an object's change history (``admin_changes``) and what is disabled."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

CHANGE_COLUMNS = ("id", "kind", "key", "action", "before", "after", "actor", "at", "comment")


def changes(store: CaseStore, kind: str | None = None, key: str | None = None,
            limit: int = 200) -> list[dict[str, Any]]:
    """Admin changes, newest first: all, one kind's, or one object's (its versions)."""
    where: list[str] = []
    params: list[str] = []
    if kind is not None:
        where.append("kind = ?")
        params.append(kind)
    if key is not None:
        where.append("key = ?")
        params.append(key)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store._execute(f"SELECT {', '.join(CHANGE_COLUMNS)} FROM admin_changes{clause} ORDER BY id DESC"
                          f" LIMIT {int(limit)}", tuple(params)).fetchall()
    out = []
    for row in rows:
        item = dict(zip(CHANGE_COLUMNS, row, strict=True))
        item["before"] = None if item["before"] is None else json.loads(item["before"])
        item["after"] = None if item["after"] is None else json.loads(item["after"])
        item["at"] = as_utc(item["at"])
        out.append(item)
    return out


def disabled(store: CaseStore, kind: str) -> frozenset[str]:
    """The keys of ``kind`` (department, subtype, user) an admin disabled."""
    rows = store._execute("SELECT key FROM disabled_entries WHERE kind = ?", (kind,)).fetchall()
    return frozenset(str(r[0]) for r in rows)
