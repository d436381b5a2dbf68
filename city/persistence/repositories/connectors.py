"""Writes of the connectors (docs/connectors.md): their configuration rows, the transferred orders, the pushes and
their attempts' log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class ConfigRow:
    """One ``connector_configs`` row as loaded."""

    code: str
    kind: str
    name: str
    config_json: str
    active: bool


def insert_config(store: CaseStore, row: ConfigRow, actor: str, now: datetime) -> None:
    """A new connector, version 1."""
    store._execute("INSERT INTO connector_configs (code, kind, name, config_json, active, version, loaded_at,"
                   " loaded_by) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                   (row.code, row.kind, row.name, row.config_json, row.active, store.dialect.stamp(now), actor))


def update_config(store: CaseStore, row: ConfigRow, version: int, actor: str, now: datetime) -> None:
    """A changed connector, as ``version``."""
    store._execute("UPDATE connector_configs SET kind = ?, name = ?, config_json = ?, active = ?, version = ?,"
                   " loaded_at = ?, loaded_by = ? WHERE code = ?",
                   (row.kind, row.name, row.config_json, row.active, version, store.dialect.stamp(now), actor,
                    row.code))


def lock_loads(store: CaseStore) -> None:
    """Serialize configuration loads (two admins loading at once: the second sees the first's versions)."""
    if not store.dialect.sqlite:  # SQLite's writer lock already serializes them
        store._execute("SELECT pg_advisory_xact_lock(2323)")


def insert_case(store: CaseStore, connector: str, order_id: str, case_id: int, deadline: datetime | None,
                received_json: str, now: datetime) -> None:
    """The transferred order and the case it became."""
    store._execute("INSERT INTO connector_cases (connector, order_id, case_id, deadline, received_json, received_at)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (connector, order_id, case_id, store.dialect.stamp(deadline),
                                                 received_json, store.dialect.stamp(now)))


def insert_delivery(store: CaseStore, connector: str, case_id: int, event: str, body: str, now: datetime) -> int:
    """Queue a push as the case's next ``seq``; its id."""
    row = store._execute("SELECT COALESCE(MAX(seq), 0) FROM connector_deliveries WHERE case_id = ?",
                         (case_id,)).fetchone()
    stamp = store.dialect.stamp(now)
    found = store._execute(
        "INSERT INTO connector_deliveries (connector, case_id, seq, event, body, status, attempts, created_at,"
        " next_attempt_at) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?) RETURNING id",
        (connector, case_id, int(row[0]) + 1, event, body, stamp, stamp)).fetchone()
    return int(found[0])


# a deactivated connector's pushes wait (queued) until it is active again
_DUE = ("SELECT d.id FROM connector_deliveries d WHERE d.status IN ('queued', 'retrying') AND d.next_attempt_at <= ?"
        " AND d.connector IN (SELECT code FROM connector_configs WHERE active = ?)"
        " AND NOT EXISTS (SELECT 1 FROM connector_deliveries e WHERE e.case_id = d.case_id AND e.seq < d.seq"
        " AND e.status <> 'sent') ORDER BY d.next_attempt_at, d.id LIMIT ?")


def claim_due(store: CaseStore, limit: int, now: datetime) -> list[int]:
    """Mark up to ``limit`` due pushes ``sending`` (each case's lowest unsent one only: in order); their ids."""
    stamp = store.dialect.stamp(now)
    ids = [int(r[0]) for r in store._execute(_DUE + store.dialect.skip_locked, (stamp, True, limit)).fetchall()]
    for delivery_id in ids:
        store._execute("UPDATE connector_deliveries SET status = 'sending', claimed_at = ? WHERE id = ?",
                       (stamp, delivery_id))
    return ids


def release_stale(store: CaseStore, lease_start: datetime) -> int:
    """Pushes ``sending`` since before ``lease_start`` (their sender died) go back to ``retrying``."""
    found = store._execute("UPDATE connector_deliveries SET status = 'retrying', claimed_at = NULL"
                           " WHERE status = 'sending' AND claimed_at < ? RETURNING id",
                           (store.dialect.stamp(lease_start),)).fetchall()
    return len(found)


def set_outcome(store: CaseStore, delivery_id: int, values: dict[str, Any]) -> None:
    """Set a push's status, attempts, next attempt, delivered time, last error (``values``' keys)."""
    stamped = {k: store.dialect.stamp(v) if isinstance(v, datetime) else v for k, v in values.items()}
    assignments = ", ".join(f"{k} = ?" for k in stamped)
    store._execute(f"UPDATE connector_deliveries SET {assignments} WHERE id = ?", (*stamped.values(), delivery_id))


def set_claimed_outcome(store: CaseStore, delivery_id: int, claimed_at: datetime, values: dict[str, Any]) -> bool:
    """``set_outcome`` only while the push is still ``sending`` under the claim ``claimed_at``; whether it was."""
    stamped = {k: store.dialect.stamp(v) if isinstance(v, datetime) else v for k, v in values.items()}
    assignments = ", ".join(f"{k} = ?" for k in stamped)
    found = store._execute(f"UPDATE connector_deliveries SET {assignments} WHERE id = ? AND status = 'sending'"
                           " AND claimed_at = ? RETURNING id",
                           (*stamped.values(), delivery_id, store.dialect.stamp(claimed_at))).fetchall()
    return bool(found)


def log_attempt(store: CaseStore, delivery_id: int, status: str, attempt: dict[str, Any], actor: str,
                now: datetime) -> None:
    """One line of the delivery log (``attempt``: http_status, error, duration_ms; empty for a change by hand)."""
    store._execute("INSERT INTO connector_attempts (delivery_id, at, status, http_status, error, duration_ms, actor)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (delivery_id, store.dialect.stamp(now), status, attempt.get("http_status"), attempt.get("error"),
                    attempt.get("duration_ms"), actor))
