"""Process versions: stored once, immutable, looked up by id, process id or message start name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from engine.persistence.db import as_utc
from engine.persistence.records import ProcessVersionRecord

T = ProcessVersionRecord.__table__


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


_COLUMNS = (T.c.id, T.c.process_id, T.c.number, T.c.sha256, T.c.spec_json, T.c.deployed_at,
            T.c.deployed_by, T.c.comment)


def _row(r: sa.Row) -> VersionRow:
    return VersionRow(r[0], r[1], r[2], r[3], r[4], as_utc(r[5]), r[6], r[7])  # type: ignore[arg-type]


def get_version(conn: Connection, version_id: int) -> VersionRow | None:
    r = conn.execute(sa.select(*_COLUMNS).where(T.c.id == version_id)).first()
    return _row(r) if r else None


def latest_version(conn: Connection, process_id: str) -> VersionRow | None:
    r = conn.execute(
        sa.select(*_COLUMNS).where(T.c.process_id == process_id).order_by(T.c.number.desc()).limit(1)
    ).first()
    return _row(r) if r else None


def version_by_hash(conn: Connection, process_id: str, sha256: str) -> VersionRow | None:
    r = conn.execute(sa.select(*_COLUMNS).where(T.c.process_id == process_id, T.c.sha256 == sha256)).first()
    return _row(r) if r else None


def list_versions(conn: Connection, process_id: str) -> list[VersionRow]:
    rows = conn.execute(sa.select(*_COLUMNS).where(T.c.process_id == process_id).order_by(T.c.number))
    return [_row(r) for r in rows]


def insert_version(conn: Connection, *, process_id: str, sha256: str, sources: dict[str, str], spec_json: str,
                   message_starts: list[str], actor: str, comment: str, now: datetime) -> VersionRow:
    """Store a new version numbered after the newest one of the same process."""
    number = (conn.execute(sa.select(sa.func.max(T.c.number)).where(T.c.process_id == process_id)).scalar()
              or 0) + 1
    new_id = conn.execute(
        T.insert().values(process_id=process_id, number=number, sha256=sha256,
                          sources=json.dumps(sources, ensure_ascii=False), spec_json=spec_json,
                          message_starts=json.dumps(message_starts), deployed_at=now, deployed_by=actor,
                          comment=comment).returning(T.c.id)
    ).scalar_one()
    return VersionRow(new_id, process_id, number, sha256, spec_json, now, actor, comment)


def message_start_processes(conn: Connection, name: str) -> list[str]:
    """Process ids whose newest version starts on message ``name``."""
    rows = conn.execute(sa.select(T.c.process_id, T.c.number, T.c.message_starts))
    newest: dict[str, tuple[int, list[str]]] = {}
    for process_id, number, starts in rows:
        if process_id not in newest or number > newest[process_id][0]:
            newest[process_id] = (number, json.loads(starts))
    return sorted(pid for pid, (_, starts) in newest.items() if name in starts)
