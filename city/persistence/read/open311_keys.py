"""Reads of Open311 apps' api keys (``api_keys``): one by its hash (the key an app sends), one by id, the list."""

from __future__ import annotations

from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

COLUMNS = ("id", "name", "contact", "key_prefix", "per_minute", "created_at", "created_by", "revoked_at",
           "revoked_by", "last_used_at")
_TIMES = ("created_at", "revoked_at", "last_used_at")


def _row(values: Any) -> dict[str, Any]:
    row = dict(zip(COLUMNS, values, strict=True))
    for name in _TIMES:
        row[name] = as_utc(row[name])
    return row


def key_by_hash(store: CaseStore, key_hash: str) -> dict[str, Any] | None:
    """The key whose sha256 is ``key_hash`` (revoked or not), or None."""
    found = store._execute(f"SELECT {', '.join(COLUMNS)} FROM api_keys WHERE key_hash = ?", (key_hash,)).fetchone()
    return _row(found) if found else None


def key_by_id(store: CaseStore, key_id: int) -> dict[str, Any] | None:
    """The key ``key_id``, or None."""
    found = store._execute(f"SELECT {', '.join(COLUMNS)} FROM api_keys WHERE id = ?", (key_id,)).fetchone()
    return _row(found) if found else None


def key_list(store: CaseStore) -> list[dict[str, Any]]:
    """Every key, newest first (never the key: only its prefix)."""
    rows = store._execute(f"SELECT {', '.join(COLUMNS)} FROM api_keys ORDER BY id DESC").fetchall()
    return [_row(r) for r in rows]
