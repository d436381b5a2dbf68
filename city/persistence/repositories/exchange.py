"""Writes of the upper-level exchange: its batches (``exchange_batches``) and the cases the platform assigned
(``connector_cases``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class BatchRow:
    """One ``exchange_batches`` row to insert; ``detail`` goes to ``ack_detail_json``."""

    connector: str
    direction: str
    seq: int
    file_name: str
    sha256: str
    records: int
    since: datetime | None
    until: datetime | None
    created_by: str
    detail: dict[str, Any]
    ack_status: str | None = None


def _json(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def insert_batch(store: CaseStore, row: BatchRow, now: datetime) -> int:
    """Insert the batch; its id."""
    stamp = store.dialect.stamp  # times as the database keeps them (SQLite: naive UTC text)
    found = store._execute(
        "INSERT INTO exchange_batches (connector, direction, seq, file_name, sha256, records, since, until,"
        " created_at, created_by, acknowledged_at, ack_status, ack_detail_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (row.connector, row.direction, row.seq, row.file_name, row.sha256, row.records, stamp(row.since),
         stamp(row.until), stamp(now), row.created_by, stamp(now) if row.ack_status else None, row.ack_status,
         _json(row.detail))).fetchone()
    return int(found[0])


def acknowledge(store: CaseStore, batch_id: int, status: str, detail: dict[str, Any], now: datetime) -> None:
    """Record the platform's acknowledgement of an export batch."""
    store._execute("UPDATE exchange_batches SET acknowledged_at = ?, ack_status = ?, ack_detail_json = ?"
                   " WHERE id = ?", (store.dialect.stamp(now), status, _json(detail), batch_id))


def set_detail(store: CaseStore, batch_id: int, detail: dict[str, Any]) -> None:
    """Replace a batch's detail (an export's refused cases marked as sent again)."""
    store._execute("UPDATE exchange_batches SET ack_detail_json = ? WHERE id = ?", (_json(detail), batch_id))


def insert_assigned(store: CaseStore, code: str, upper_id: str, case_id: int, deadline: datetime | None,
                    received: dict[str, Any], now: datetime) -> None:
    """Keep which case an assigned record (``upper_id``) became (its upper_id goes back in every export)."""
    stamp = store.dialect.stamp
    store._execute("INSERT INTO connector_cases (connector, order_id, case_id, deadline, received_json, received_at)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   (code, upper_id, case_id, stamp(deadline), _json(received), stamp(now)))

