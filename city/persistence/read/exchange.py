"""Reads of the upper-level exchange: its connectors, the cases changed since a watermark, the batches."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc, iso_utc
from engine.persistence.repositories.cases import CaseStore

PAGE_SIZE = 100
FACT_COLUMNS = ("case_id", "case_no", "subtype", "channel", "reported_at", "filed_at", "dispatched_at", "disposed_at",
                "checked_at", "closed_at", "due_at", "result", "close_type", "closed_on_time", "district",
                "resp_grid", "unit_grid", "lon", "lat", "department", "reworks", "returns", "extensions",
                "suspensions", "overdue", "wrong_dispatches", "updated_at")
_FACTS = ("SELECT " + ", ".join(f"f.{c}" for c in FACT_COLUMNS) + ", cc.order_id FROM case_facts f"
          " LEFT JOIN connector_cases cc ON cc.case_id = f.case_id AND cc.connector = ?")
_BATCH = ("SELECT id, connector, direction, seq, file_name, sha256, records, since, until, created_at, created_by,"
          " acknowledged_at, ack_status, ack_detail_json FROM exchange_batches")
_TIMES = ("reported_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at", "due_at", "updated_at")


def connector(store: CaseStore, code: str, *, lock: bool = False) -> dict[str, Any] | None:
    """The upper_level connector ``code`` ({code, name, active, config}); None when there is none of that kind.
    ``lock``: its row locked for the transaction (PostgreSQL; SQLite's write transactions are serial already), so
    two runs of one connector's export or inbox take turns."""
    row = store._execute("SELECT code, name, active, config_json FROM connector_configs WHERE code = ?"
                         " AND kind = 'upper_level'" + (store.dialect.for_update if lock else ""),
                         (code,)).fetchone()
    return None if row is None else {"code": row[0], "name": row[1], "active": bool(row[2]),
                                     "config": json.loads(row[3])}


def active_connectors(store: CaseStore) -> list[dict[str, Any]]:
    """Every active upper_level connector, by code."""
    rows = store._execute("SELECT code, name, active, config_json FROM connector_configs WHERE kind = 'upper_level'"
                          " AND active = ? ORDER BY code", (True,)).fetchall()
    return [{"code": r[0], "name": r[1], "active": bool(r[2]), "config": json.loads(r[3])} for r in rows]


def _fact(row: Any) -> dict[str, Any]:
    found = dict(zip(FACT_COLUMNS, row, strict=False))
    for name in _TIMES:
        found[name] = as_utc(found[name])
    found["closed_on_time"] = None if found["closed_on_time"] is None else bool(found["closed_on_time"])
    found["upper_id"] = row[len(FACT_COLUMNS)]
    return found


def changed_facts(store: CaseStore, code: str, since: datetime | None, until: datetime) -> list[dict[str, Any]]:
    """The live cases whose facts changed in [since, until) (since None: from the start), oldest change first, with
    ``upper_id`` when connector ``code`` assigned them."""
    where = " WHERE f.source = 'live' AND f.updated_at < ?" + ("" if since is None else " AND f.updated_at >= ?")
    stamp = store.dialect.stamp  # SQLite compares times as text: the stored form, never an aware isoformat
    params: tuple[Any, ...] = (code, stamp(until)) if since is None else (code, stamp(until), stamp(since))
    rows = store._execute(_FACTS + where + " ORDER BY f.updated_at, f.case_no", params).fetchall()
    return [_fact(r) for r in rows]


def facts_of(store: CaseStore, code: str, numbers: Collection[str]) -> list[dict[str, Any]]:
    """The live cases numbered ``numbers`` (those that exist), by number."""
    found: list[dict[str, Any]] = []
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        rows = store._execute(_FACTS + f" WHERE f.source = 'live' AND f.case_no IN ({', '.join('?' * len(chunk))})",
                              (code, *chunk)).fetchall()
        found.extend(_fact(r) for r in rows)
    return sorted(found, key=lambda fact: str(fact["case_no"]))


def _batch(row: Any) -> dict[str, Any]:
    keys = ("id", "connector", "direction", "seq", "file_name", "sha256", "records", "since", "until", "created_at",
            "created_by", "acknowledged_at", "ack_status", "ack_detail_json")
    found = dict(zip(keys, row, strict=True))
    for name in ("since", "until", "created_at", "acknowledged_at"):
        found[name] = as_utc(found[name])
    found["detail"] = json.loads(found.pop("ack_detail_json") or "{}")
    return found


def last_export(store: CaseStore, code: str) -> dict[str, Any] | None:
    """The newest export batch of ``code``."""
    row = store._execute(_BATCH + " WHERE connector = ? AND direction = 'export' ORDER BY seq DESC LIMIT 1",
                         (code,)).fetchone()
    return None if row is None else _batch(row)


def next_seq(store: CaseStore, code: str, direction: str) -> int:
    """The sequence number the next batch of ``code`` in ``direction`` takes."""
    row = store._execute("SELECT MAX(seq) FROM exchange_batches WHERE connector = ? AND direction = ?",
                         (code, direction)).fetchone()
    return 1 if row[0] is None else int(row[0]) + 1


def batch(store: CaseStore, code: str, direction: str, seq: int) -> dict[str, Any] | None:
    """One batch; None when there is none."""
    row = store._execute(_BATCH + " WHERE connector = ? AND direction = ? AND seq = ?",
                         (code, direction, seq)).fetchone()
    return None if row is None else _batch(row)


def import_seen(store: CaseStore, code: str, sha256: str) -> bool:
    """Whether an inbound file with these bytes was recorded already."""
    return store._execute("SELECT 1 FROM exchange_batches WHERE connector = ? AND direction = 'import'"
                          " AND sha256 = ?", (code, sha256)).fetchone() is not None


def to_resend(store: CaseStore, code: str) -> list[dict[str, Any]]:
    """Export batches acknowledged rejected or partial whose refused cases no later export carried yet."""
    rows = store._execute(_BATCH + " WHERE connector = ? AND direction = 'export' AND ack_status IN"
                          " ('rejected', 'partial') ORDER BY seq", (code,)).fetchall()
    return [found for found in (_batch(r) for r in rows) if found["detail"].get("resent_in") is None]


def batches(store: CaseStore, code: str, direction: str | None = None, page: int = 1) -> list[dict[str, Any]]:
    """A page of ``code``'s batches, newest first (JSON-ready: times as ISO text)."""
    where, params = " WHERE connector = ?", [code]
    if direction is not None:
        where += " AND direction = ?"
        params.append(direction)
    rows = store._execute(_BATCH + where + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                          (*params, PAGE_SIZE, (page - 1) * PAGE_SIZE)).fetchall()
    listed = []
    for row in rows:
        found = _batch(row)
        detail = found["detail"]
        detail.pop("case_nos", None)  # the whole batch's numbers: not for a list
        listed.append({**found, **{k: iso_utc(found[k]) for k in ("since", "until", "created_at",
                                                                  "acknowledged_at")}})
    return listed


def subtype_codes(store: CaseStore) -> set[str]:
    """The city catalogue's subtype codes (the reverse national mapping picks among them)."""
    return {str(r[0]) for r in store._execute("SELECT code FROM subtypes").fetchall()}
