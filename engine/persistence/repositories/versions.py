"""Process versions: stored once, immutable, looked up by id, process id or message start name.

The one module that reads ``process_versions``: the engine's look-ups, the designer API's listings with sources,
the audit replay's and a case diagram's BPMN all come through here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class VersionRow:
    """A deployed process version (without its sources and its serialized spec: ``version_spec_json`` reads that,
    once per version and process, where every case start would otherwise read ~1 MB of lifecycle spec)."""

    id: int
    process_id: str
    number: int
    sha256: str
    deployed_at: datetime
    deployed_by: str
    comment: str


_SELECT = "SELECT id, process_id, number, sha256, deployed_at, deployed_by, comment FROM process_versions"


def _row(r: Any) -> VersionRow:
    return VersionRow(r[0], r[1], r[2], r[3], as_utc_not_null(r[4]), r[5], r[6])


def _one(store: CaseStore, where: str, params: tuple[object, ...]) -> VersionRow | None:
    r = store._execute(f"{_SELECT} {where}", params).fetchone()
    return None if r is None else _row(r)


def version_spec_json(store: CaseStore, version_id: int) -> tuple[str, str] | None:
    """The process id and serialized spec of a version, or None."""
    r = store._execute("SELECT process_id, spec_json FROM process_versions WHERE id = ?", (version_id,)).fetchone()
    return None if r is None else (str(r[0]), str(r[1]))


def get_version(store: CaseStore, version_id: int) -> VersionRow | None:
    """A version by id, or None."""
    return _one(store, "WHERE id = ?", (version_id,))


def latest_version(store: CaseStore, process_id: str) -> VersionRow | None:
    """The newest version of a process, or None."""
    return _one(store, "WHERE process_id = ? ORDER BY number DESC LIMIT 1", (process_id,))


def list_versions(store: CaseStore, process_id: str) -> list[VersionRow]:
    """Every version of a process, oldest first."""
    rows = store._execute(f"{_SELECT} WHERE process_id = ? ORDER BY number", (process_id,)).fetchall()
    return [_row(r) for r in rows]


def insert_version(store: CaseStore, *, process_id: str, sha256: str, sources: dict[str, str], spec_json: str,
                   message_starts: list[str], actor: str, comment: str, now: datetime) -> VersionRow:
    """Store a new version numbered after the newest one of the same process."""
    newest = store._execute("SELECT MAX(number) FROM process_versions WHERE process_id = ?",
                           (process_id,)).fetchone()[0]
    number = (newest or 0) + 1
    new_id = store._execute(
        "INSERT INTO process_versions (process_id, number, sha256, sources, spec_json, message_starts,"
        " deployed_at, deployed_by, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (process_id, number, sha256, json.dumps(sources, ensure_ascii=False), spec_json,
         json.dumps(message_starts), store.dialect.stamp(now), actor, comment),
    ).fetchone()[0]
    return VersionRow(new_id, process_id, number, sha256, now, actor, comment)


def message_start_processes(store: CaseStore, name: str) -> list[str]:
    """Process ids whose newest version starts on message ``name``."""
    newest: dict[str, tuple[int, list[str]]] = {}
    for process_id, number, starts in store._execute(
            "SELECT process_id, number, message_starts FROM process_versions").fetchall():
        if process_id not in newest or number > newest[process_id][0]:
            newest[process_id] = (number, json.loads(starts))
    return sorted(pid for pid, (_, starts) in newest.items() if name in starts)


# Listings for people (the designer API): (number, sha256, deployed_at, deployed_by, comment, sources JSON text).
_LISTED = "SELECT number, sha256, deployed_at, deployed_by, comment, sources FROM process_versions"


def version_listing(store: CaseStore, process_id: str, number: int) -> tuple[Any, ...] | None:
    """One version as (number, sha256, deployed_at, deployed_by, comment, sources JSON text), or None."""
    row: tuple[Any, ...] | None = store._execute(f"{_LISTED} WHERE process_id = ? AND number = ?",
                                                (process_id, number)).fetchone()
    return row


def newest_listings(store: CaseStore) -> list[tuple[Any, ...]]:
    """Every process's newest version as (process_id, number, sha256, deployed_at, deployed_by, comment,
    sources JSON text), by process id."""
    rows: list[tuple[Any, ...]] = store._execute(
        "SELECT v.process_id, v.number, v.sha256, v.deployed_at, v.deployed_by, v.comment, v.sources"
        " FROM process_versions v JOIN (SELECT process_id, MAX(number) AS newest FROM process_versions"
        " GROUP BY process_id) n ON n.process_id = v.process_id AND n.newest = v.number"
        " ORDER BY v.process_id").fetchall()
    return rows


def version_sources(store: CaseStore, version_id: int) -> tuple[int, str, int, str, dict[str, str]] | None:
    """(id, process_id, number, sha256, sources: file name → text) of a version, or None."""
    row = store._execute("SELECT id, process_id, number, sha256, sources FROM process_versions WHERE id = ?",
                        (version_id,)).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3], json.loads(row[4]))


def case_version_sources(store: CaseStore, case_id: int) -> dict[str, str]:
    """The sources (file name → text) of the version a case runs on; empty when there is no such case."""
    row = store._execute("SELECT v.sources FROM cases c JOIN process_versions v ON v.id = c.process_version_id"
                        " WHERE c.id = ?", (case_id,)).fetchone()
    return {} if row is None else json.loads(row[0])


def task_version_id(store: CaseStore, task_id: str) -> int | None:
    """The process version a human task belongs to (its form is that version's), or None."""
    row = store._execute("SELECT process_version_id FROM human_tasks WHERE id = ?", (task_id,)).fetchone()
    return None if row is None else row[0]


def newest_versions(store: CaseStore) -> list[tuple[int, str, int, str]]:
    """(id, process_id, number, sha256) of every process's newest version, by process id (no sources: the start
    page and the navigation ask this on every view)."""
    rows = store._execute(
        "SELECT v.id, v.process_id, v.number, v.sha256 FROM process_versions v JOIN (SELECT process_id,"
        " MAX(number) AS newest FROM process_versions GROUP BY process_id) n ON n.process_id = v.process_id"
        " AND n.newest = v.number ORDER BY v.process_id").fetchall()
    return [(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]
