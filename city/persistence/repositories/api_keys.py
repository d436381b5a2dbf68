"""Writes of Open311 apps' api keys (``api_keys``): a new key (its sha256 and prefix only), a revocation, the
last use (noted at most once a minute, so a busy app does not write on every request). Times go through
``dialect.stamp``: SQLite keeps them as naive UTC text and compares them as text."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.persistence.repositories.cases import CaseStore

NOTE_USE_EVERY = timedelta(minutes=1)


def insert_key(store: CaseStore, *, name: str, contact: str, key_hash: str, key_prefix: str, per_minute: int,
               actor: str, now: datetime) -> int:
    """Insert a key; its id (a taken name or hash raises the database's unique violation)."""
    found = store._execute(
        "INSERT INTO api_keys (name, contact, key_hash, key_prefix, per_minute, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (name, contact, key_hash, key_prefix, per_minute, store.dialect.stamp(now), actor)).fetchone()
    return int(found[0])


def revoke_key(store: CaseStore, key_id: int, actor: str, now: datetime) -> bool:
    """Revoke the key unless it already is; whether it was revoked now."""
    done = store._execute("UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
                          (store.dialect.stamp(now), actor, key_id))
    return bool(done.rowcount)


def note_use(store: CaseStore, key_id: int, now: datetime) -> None:
    """Note the key's use now, unless it was noted less than a minute ago."""
    stamp = store.dialect.stamp  # SQLite compares the stored text: both sides in its one format
    store._execute("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                   (stamp(now), key_id, stamp(now - NOTE_USE_EVERY)))
