"""Process versions: stored once, immutable, looked up by id, process id or message start name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc
from engine.persistence.store import CaseStore


@dataclass(frozen=True)
class VersionRow:
    """A deployed process version (without its sources)."""

    id: int
    process_id: str
    number: int
    sha256: str
    spec_json: str
    deployed_at: datetime
    deployed_by: str
    comment: str


_SELECT = ("SELECT id, process_id, number, sha256, spec_json, deployed_at, deployed_by, comment"
           " FROM process_versions")


def _one(store: CaseStore, where: str, params: tuple[object, ...]) -> VersionRow | None:
    r = store.execute(f"{_SELECT} {where}", params).fetchone()
    if r is None:
        return None
    return VersionRow(r[0], r[1], r[2], r[3], r[4], as_utc(r[5]), r[6], r[7])  # type: ignore[arg-type]


def get_version(store: CaseStore, version_id: int) -> VersionRow | None:
    return _one(store, "WHERE id = ?", (version_id,))


def latest_version(store: CaseStore, process_id: str) -> VersionRow | None:
    return _one(store, "WHERE process_id = ? ORDER BY number DESC LIMIT 1", (process_id,))


def list_versions(store: CaseStore, process_id: str) -> list[VersionRow]:
    rows = store.execute(f"{_SELECT} WHERE process_id = ? ORDER BY number", (process_id,)).fetchall()
    return [VersionRow(r[0], r[1], r[2], r[3], r[4], as_utc(r[5]), r[6], r[7]) for r in rows]  # type: ignore[arg-type]


def insert_version(store: CaseStore, *, process_id: str, sha256: str, sources: dict[str, str], spec_json: str,
                   message_starts: list[str], actor: str, comment: str, now: datetime) -> VersionRow:
    """Store a new version numbered after the newest one of the same process."""
    newest = store.execute("SELECT MAX(number) FROM process_versions WHERE process_id = ?",
                           (process_id,)).fetchone()[0]
    number = (newest or 0) + 1
    new_id = store.execute(
        "INSERT INTO process_versions (process_id, number, sha256, sources, spec_json, message_starts,"
        " deployed_at, deployed_by, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (process_id, number, sha256, json.dumps(sources, ensure_ascii=False), spec_json,
         json.dumps(message_starts), store.dialect.stamp(now), actor, comment),
    ).fetchone()[0]
    return VersionRow(new_id, process_id, number, sha256, spec_json, now, actor, comment)


def message_start_processes(store: CaseStore, name: str) -> list[str]:
    """Process ids whose newest version starts on message ``name``."""
    newest: dict[str, tuple[int, list[str]]] = {}
    for process_id, number, starts in store.execute(
            "SELECT process_id, number, message_starts FROM process_versions").fetchall():
        if process_id not in newest or number > newest[process_id][0]:
            newest[process_id] = (number, json.loads(starts))
    return sorted(pid for pid, (_, starts) in newest.items() if name in starts)
