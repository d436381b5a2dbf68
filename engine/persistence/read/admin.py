"""Reads of the admin pages: an object's change history (``admin_changes``) and what is disabled."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.admin import DEPARTMENT_FIELDS, SUBTYPE_FIELDS, USER_FIELDS
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
        moment = as_utc(item["at"])
        item["at"] = moment.isoformat(timespec="seconds") if moment else None
        out.append(item)
    return out


def disabled(store: CaseStore, kind: str) -> frozenset[str]:
    """The keys of ``kind`` (department, subtype, user) an admin disabled."""
    rows = store._execute("SELECT key FROM disabled_entries WHERE kind = ?", (kind,)).fetchall()
    return frozenset(str(r[0]) for r in rows)


def _rows(store: CaseStore, table: str, fields: tuple[str, ...], order: str) -> list[dict[str, Any]]:
    rows = store._execute(f"SELECT {', '.join(fields)} FROM {table} ORDER BY {order}").fetchall()
    return [dict(zip(fields, row, strict=True)) for row in rows]


def departments(store: CaseStore) -> list[dict[str, Any]]:
    """Every department with its level and district, and whether it is disabled, by code."""
    off = disabled(store, "department")
    return [{**row, "disabled": row["code"] in off}
            for row in _rows(store, "departments", DEPARTMENT_FIELDS, "code")]


def subtypes(store: CaseStore) -> list[dict[str, Any]]:
    """Every subtype with all its fields, and whether it is disabled, by code."""
    off = disabled(store, "subtype")
    return [{**row, "video_ai": bool(row["video_ai"]), "disabled": row["code"] in off}
            for row in _rows(store, "subtypes", SUBTYPE_FIELDS, "code")]


def users(store: CaseStore, search: str = "", limit: int = 500) -> list[dict[str, Any]]:
    """Users whose username or display name contains ``search`` (all when empty), with whether each is disabled,
    by username (at most ``limit``)."""
    off = disabled(store, "user")
    pattern = f"%{search.lower()}%"
    rows = store._execute(f"SELECT {', '.join(USER_FIELDS)} FROM users WHERE lower(username) LIKE ?"
                          f" OR lower(display_name) LIKE ? ORDER BY username LIMIT {int(limit)}",
                          (pattern, pattern)).fetchall()
    return [{**dict(zip(USER_FIELDS, row, strict=True)), "disabled": row[0] in off} for row in rows]


def user(store: CaseStore, username: str) -> dict[str, Any] | None:
    """The user named exactly ``username``, with whether they are disabled; None when there is none."""
    row = store._execute(f"SELECT {', '.join(USER_FIELDS)} FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        return None
    return {**dict(zip(USER_FIELDS, row, strict=True)), "disabled": username in disabled(store, "user")}


def aspects(store: CaseStore) -> list[dict[str, Any]]:
    """The aspects (code, names), by code."""
    return _rows(store, "aspects", ("code", "name_zh", "name_en"), "code")
