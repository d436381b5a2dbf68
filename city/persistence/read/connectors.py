"""Reads of the connectors: their configurations, the transferred orders, the pushes and their log."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.db import as_utc, iso_utc
from engine.persistence.repositories.cases import CaseStore

PAGE_SIZE = 50
_CONFIG = "SELECT code, kind, name, config_json, active, version, loaded_at, loaded_by FROM connector_configs"


def _config(row: Any) -> dict[str, Any]:
    return {"code": row[0], "kind": row[1], "name": row[2], "config": json.loads(row[3]), "config_json": row[3],
            "active": bool(row[4]), "version": int(row[5]), "loaded_at": iso_utc(as_utc(row[6])), "loaded_by": row[7]}


def configs(store: CaseStore) -> dict[str, dict[str, Any]]:
    """Every connector by code (active or not)."""
    return {r[0]: _config(r) for r in store._execute(_CONFIG + " ORDER BY code").fetchall()}


def config(store: CaseStore, code: str) -> dict[str, Any] | None:
    """One connector; None when there is none."""
    row = store._execute(_CONFIG + " WHERE code = ?", (code,)).fetchone()
    return None if row is None else _config(row)


def configs_version(store: CaseStore) -> tuple[Any, ...]:
    """What changes when any connector does (the cache's check)."""
    row = store._execute("SELECT COUNT(*), COALESCE(SUM(version), 0), MAX(loaded_at) FROM connector_configs"
                         ).fetchone()
    return tuple(row)


def order_of_case(store: CaseStore, case_id: int) -> tuple[str, str] | None:
    """(connector, order id) of a transferred case; None for any other case."""
    row = store._execute("SELECT connector, order_id FROM connector_cases WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def transferred(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """A transferred case's origin: connector, order id, the sender's deadline, when it arrived."""
    row = store._execute("SELECT connector, order_id, deadline, received_at FROM connector_cases WHERE case_id = ?",
                         (case_id,)).fetchone()
    return None if row is None else {"connector": row[0], "order_id": row[1], "deadline": iso_utc(as_utc(row[2])),
                                     "received_at": iso_utc(as_utc(row[3]))}


def case_no(store: CaseStore, case_id: int) -> str | None:
    """The case's number."""
    row = store._execute("SELECT case_no FROM case_summaries WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def case_id_of(store: CaseStore, number: str) -> int | None:
    """The id of the case numbered ``number``."""
    row = store._execute("SELECT case_id FROM case_summaries WHERE case_no = ?", (number,)).fetchone()
    return None if row is None else int(row[0])


def department_name(store: CaseStore, code: str) -> str | None:
    """A department's Chinese name."""
    row = store._execute("SELECT name_zh FROM departments WHERE code = ?", (code,)).fetchone()
    return None if row is None else str(row[0])


_DELIVERY = ("SELECT d.id, d.connector, d.case_id, s.case_no, d.seq, d.event, d.body, d.status, d.attempts,"
             " d.created_at, d.next_attempt_at, d.claimed_at, d.delivered_at, d.last_error"
             " FROM connector_deliveries d LEFT JOIN case_summaries s ON s.case_id = d.case_id")
_KEYS = ("id", "connector", "case_id", "case_no", "seq", "event", "body", "status", "attempts", "created_at",
         "next_attempt_at", "claimed_at", "delivered_at", "last_error")


def _delivery(row: Any) -> dict[str, Any]:
    found = dict(zip(_KEYS, row, strict=True))
    for key in ("created_at", "next_attempt_at", "claimed_at", "delivered_at"):
        found[key] = iso_utc(as_utc(found[key]))
    return found


def delivery(store: CaseStore, delivery_id: int) -> dict[str, Any] | None:
    """One push."""
    row = store._execute(_DELIVERY + " WHERE d.id = ?", (delivery_id,)).fetchone()
    return None if row is None else _delivery(row)


def deliveries(store: CaseStore, connector: str, *, status: str | None = None, case_id: int | None = None,
               page: int = 1) -> list[dict[str, Any]]:
    """A connector's pushes, newest first, ``PAGE_SIZE`` a page, filtered by status and case."""
    where, params = ["d.connector = ?"], list[Any]([connector])
    if status is not None:
        where.append("d.status = ?")
        params.append(status)
    if case_id is not None:
        where.append("d.case_id = ?")
        params.append(case_id)
    sql = _DELIVERY + " WHERE " + " AND ".join(where) + " ORDER BY d.id DESC LIMIT ? OFFSET ?"
    return [_delivery(r) for r in store._execute(sql, (*params, PAGE_SIZE, (page - 1) * PAGE_SIZE)).fetchall()]


def attempts(store: CaseStore, delivery_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The log of each push, oldest first."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in delivery_ids}
    if not delivery_ids:
        return found
    marks = ", ".join("?" for _ in delivery_ids)
    for row in store._execute(f"SELECT delivery_id, at, status, http_status, error, duration_ms, actor"
                              f" FROM connector_attempts WHERE delivery_id IN ({marks}) ORDER BY id",
                              tuple(delivery_ids)).fetchall():
        found[int(row[0])].append({"at": iso_utc(as_utc(row[1])), "status": row[2], "http_status": row[3],
                                   "error": row[4], "duration_ms": row[5], "actor": row[6]})
    return found
