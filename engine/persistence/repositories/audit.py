"""Reading the audit log as stored, and writing and reading the checkpoints that anchor it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from engine.domain.audit.chain import StoredEvent
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

_EVENT_COLUMNS = ("case_id, seq, occurred_at, actor, actor_kind, event_type, command, task_id, bpmn_id, data,"
                  " process_version_id, prev_hash, hash, request_id")


def _event(row: Any) -> StoredEvent:
    moment = as_utc(row[2])
    assert moment is not None  # the column is NOT NULL
    return StoredEvent(row[0], row[1], moment, row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10],
                       row[11], row[12], row[13])


def stored_events(store: CaseStore, case_id: int) -> list[StoredEvent]:
    """The case's events in sequence order, exactly as stored."""
    rows = store._execute(f"SELECT {_EVENT_COLUMNS} FROM case_events WHERE case_id = ? ORDER BY seq",
                         (case_id,)).fetchall()
    return [_event(r) for r in rows]


def case_head(store: CaseStore, case_id: int) -> tuple[int, str, datetime, str] | None:
    """(last event seq, last event hash, started at, process id) of a case, or None when there is no such case."""
    row = store._execute("SELECT last_event_seq, last_event_hash, started_at, process_id FROM cases WHERE id = ?",
                        (case_id,)).fetchone()
    if row is None:
        return None
    started = as_utc(row[2])
    assert started is not None
    return row[0], row[1], started, row[3]


def version_sources(store: CaseStore, version_id: int) -> dict[str, Any] | None:
    """A process version's id, process, number, spec hash and BPMN/DMN sources."""
    row = store._execute("SELECT id, process_id, number, sha256, sources FROM process_versions WHERE id = ?",
                        (version_id,)).fetchone()
    if row is None:
        return None
    return {"id": row[0], "process_id": row[1], "number": row[2], "sha256": row[3], "sources": json.loads(row[4])}


def version_ids_by_number(store: CaseStore, process_id: str) -> dict[int, int]:
    """Version number → version id, for the versions of one process."""
    rows = store._execute("SELECT number, id FROM process_versions WHERE process_id = ?", (process_id,)).fetchall()
    return {number: vid for number, vid in rows}


def case_ids(store: CaseStore, since: datetime | None = None) -> list[int]:
    """Every case id (started at or after ``since``), oldest first."""
    if since is None:
        return [r[0] for r in store._execute("SELECT id FROM cases ORDER BY id").fetchall()]
    rows = store._execute("SELECT id FROM cases WHERE started_at >= ? ORDER BY id", (store.dialect.stamp(since),))
    return [r[0] for r in rows.fetchall()]


# -- checkpoints ----------------------------------------------------------------------------------

def last_checkpoint(store: CaseStore) -> tuple[int, str] | None:
    """(id, hash) of the newest checkpoint."""
    row = store._execute("SELECT id, hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], row[1])


def moved_heads(store: CaseStore) -> list[tuple[int, int, str]]:
    """(case id, seq, hash) of every case whose chain head moved since the checkpoint that last saw it."""
    rows = store._execute(
        "SELECT c.id, c.last_event_seq, c.last_event_hash FROM cases c"
        " WHERE c.last_event_seq > COALESCE((SELECT MAX(h.seq) FROM audit_checkpoint_heads h"
        " WHERE h.case_id = c.id), 0) ORDER BY c.id").fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def insert_checkpoint(store: CaseStore, *, created_at: datetime, heads: list[tuple[int, int, str]],
                      prev_hash: str, digest: str) -> int:
    """Store one checkpoint and its heads; returns its id."""
    row = store._execute("INSERT INTO audit_checkpoints (created_at, cases, prev_hash, hash) VALUES (?, ?, ?, ?)"
                        " RETURNING id", (store.dialect.stamp(created_at), len(heads), prev_hash, digest)).fetchone()
    store._executemany("INSERT INTO audit_checkpoint_heads (checkpoint_id, case_id, seq, hash) VALUES (?, ?, ?, ?)",
                      ((row[0], case_id, seq, head) for case_id, seq, head in heads))
    return int(row[0])


def checkpoints(store: CaseStore) -> Iterator[tuple[int, datetime, str, str, list[tuple[int, int, str]]]]:
    """Every checkpoint in order: (id, created at, prev hash, hash, heads)."""
    rows = store._execute("SELECT id, created_at, prev_hash, hash FROM audit_checkpoints ORDER BY id").fetchall()
    for checkpoint_id, created_at, prev_hash, digest in rows:
        heads = store._execute("SELECT case_id, seq, hash FROM audit_checkpoint_heads WHERE checkpoint_id = ?"
                              " ORDER BY case_id", (checkpoint_id,)).fetchall()
        moment = as_utc(created_at)
        assert moment is not None
        yield checkpoint_id, moment, prev_hash, digest, [(r[0], r[1], r[2]) for r in heads]


def event_hash_at(store: CaseStore, case_id: int, seq: int) -> str | None:
    """The stored hash of one event, or None when that event does not exist."""
    row = store._execute("SELECT hash FROM case_events WHERE case_id = ? AND seq = ?", (case_id, seq)).fetchone()
    return None if row is None else row[0]


def checkpointed_heads(store: CaseStore, case_id: int) -> list[tuple[int, int, str]]:
    """(checkpoint id, seq, hash) of every checkpoint that saw this case."""
    rows = store._execute("SELECT checkpoint_id, seq, hash FROM audit_checkpoint_heads WHERE case_id = ?"
                         " ORDER BY checkpoint_id", (case_id,)).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]
