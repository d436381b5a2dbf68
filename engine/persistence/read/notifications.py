"""Reads of notifications: the bell (unread count, inbox), a case's delivery log, a person's or group's
subscriptions, and what the sender and the benches look up."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.domain.notification_secrets import without_secrets
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

_INBOX = ("id", "notification_id", "case_id", "title", "body", "link", "created_at", "read_at", "kind", "urgency")
_SUBSCRIPTION = ("id", "subject_kind", "subject", "channel", "address", "events", "locale", "enabled",
                 "created_at", "updated_at")
_NOTIFICATION = ("id", "case_id", "kind", "urgency", "recipient_kind", "recipient", "data", "dedupe_key",
                 "created_at")
_DELIVERY = ("id", "notification_id", "channel", "address", "account", "locale", "status", "attempts",
             "next_attempt_at", "last_error", "sent_at", "updated_at")
_ATTEMPT = ("id", "delivery_id", "at", "status", "error")
_TIMES = ("created_at", "updated_at", "read_at", "next_attempt_at", "sent_at", "at")


def _row(names: tuple[str, ...], row: Any) -> dict[str, Any]:
    found = dict(zip(names, row, strict=True))
    for name in _TIMES:
        if name in found:
            found[name] = as_utc(found[name])
    return found


def unread_count(store: CaseStore, account: str) -> int:
    """How many inbox items ``account`` has not read (the bell's number)."""
    return int(store._execute("SELECT COUNT(*) FROM inbox_items WHERE account = ? AND read_at IS NULL",
                              (account,)).fetchone()[0])


def inbox(store: CaseStore, account: str, limit: int, before_id: int | None = None) -> list[dict[str, Any]]:
    """``account``'s inbox items, newest first, at most ``limit``; ``before_id``: only older than that item (the
    next page). Each: id, notification_id, case_id, title, body, link, created_at, read_at, kind, urgency."""
    where, params = ("", [account, limit]) if before_id is None else (" AND i.id < ?", [account, before_id, limit])
    rows = store._execute(
        "SELECT i.id, i.notification_id, i.case_id, i.title, i.body, i.link, i.created_at, i.read_at, n.kind,"
        " n.urgency FROM inbox_items i JOIN notifications n ON n.id = i.notification_id"
        f" WHERE i.account = ?{where} ORDER BY i.id DESC LIMIT ?", params).fetchall()
    return [_row(_INBOX, row) for row in rows]


def notification(store: CaseStore, notification_id: int) -> dict[str, Any] | None:
    """One notification (``data`` parsed), or None."""
    row = store._execute(f"SELECT {', '.join(_NOTIFICATION)} FROM notifications WHERE id = ?",
                         (notification_id,)).fetchone()
    if row is None:
        return None
    found = _row(_NOTIFICATION, row)
    found["data"] = without_secrets(found["kind"], json.loads(found["data"]))
    return found


def deliveries_of(store: CaseStore, notification_ids: list[int]) -> list[dict[str, Any]]:
    """The deliveries of the notifications ``notification_ids``, each with its ``attempts`` (the log, oldest
    first)."""
    if not notification_ids:
        return []
    marks = ", ".join("?" * len(notification_ids))
    deliveries = [_row(_DELIVERY, row) for row in store._execute(
        f"SELECT {', '.join(_DELIVERY)} FROM notification_deliveries WHERE notification_id IN ({marks})"
        " ORDER BY id", notification_ids).fetchall()]
    by_id = {delivery["id"]: delivery for delivery in deliveries}
    for delivery in deliveries:
        delivery["attempts_log"] = []
    if by_id:
        marks = ", ".join("?" * len(by_id))
        for row in store._execute(f"SELECT {', '.join(_ATTEMPT)} FROM notification_attempts"
                                  f" WHERE delivery_id IN ({marks}) ORDER BY id", list(by_id)).fetchall():
            attempt = _row(_ATTEMPT, row)
            by_id[attempt["delivery_id"]]["attempts_log"].append(attempt)
    return deliveries


def deliveries_of_case(store: CaseStore, case_id: int) -> list[dict[str, Any]]:
    """The case's notifications, oldest first, each with ``deliveries`` (and each delivery its ``attempts_log``:
    at, status, error): the delivery log on the case page."""
    found = [_row(_NOTIFICATION, row) for row in store._execute(
        f"SELECT {', '.join(_NOTIFICATION)} FROM notifications WHERE case_id = ? ORDER BY id",
        (case_id,)).fetchall()]
    deliveries = deliveries_of(store, [item["id"] for item in found])
    for item in found:
        item["data"] = without_secrets(item["kind"], json.loads(item["data"]))  # staff read this log
        item["deliveries"] = [d for d in deliveries if d["notification_id"] == item["id"]]
    return found


def subscriptions_of(store: CaseStore, subject_kind: str, subject: str) -> list[dict[str, Any]]:
    """The subscriptions of one person (``subject_kind`` 'person') or group ('group'), ``events`` parsed."""
    rows = store._execute(f"SELECT {', '.join(_SUBSCRIPTION)} FROM notification_subscriptions"
                          " WHERE subject_kind = ? AND subject = ? ORDER BY id", (subject_kind, subject)).fetchall()
    return [_subscription(row) for row in rows]


def subscription(store: CaseStore, subscription_id: int) -> dict[str, Any] | None:
    """One subscription, or None."""
    row = store._execute(f"SELECT {', '.join(_SUBSCRIPTION)} FROM notification_subscriptions WHERE id = ?",
                         (subscription_id,)).fetchone()
    return None if row is None else _subscription(row)


def _subscription(row: Any) -> dict[str, Any]:
    found = _row(_SUBSCRIPTION, row)
    found["events"] = json.loads(found["events"])
    found["enabled"] = bool(found["enabled"])
    return found


def delivery(store: CaseStore, delivery_id: int) -> dict[str, Any] | None:
    """One delivery with its ``attempts_log``, or None."""
    row = store._execute("SELECT notification_id FROM notification_deliveries WHERE id = ?",
                         (delivery_id,)).fetchone()
    if row is None:
        return None
    return next(d for d in deliveries_of(store, [int(row[0])]) if d["id"] == delivery_id)


def delivery_counts(store: CaseStore) -> dict[str, int]:
    """Deliveries per status (the benches' and the CLI's summary)."""
    return {str(r[0]): int(r[1]) for r in store._execute(
        "SELECT status, COUNT(*) FROM notification_deliveries GROUP BY status").fetchall()}


def notifications_after(store: CaseStore, after_id: int = 0) -> list[dict[str, Any]]:
    """id, kind, data (parsed), created_at of the notifications with an id above ``after_id`` (the bench matches
    what its receivers got to when each was written)."""
    rows = store._execute("SELECT id, kind, data, created_at FROM notifications WHERE id > ? ORDER BY id",
                          (after_id,)).fetchall()
    return [{"id": int(r[0]), "kind": r[1], "data": json.loads(r[2]), "created_at": as_utc(r[3])} for r in rows]


def any_due(store: CaseStore, now: datetime) -> bool:
    """True when a delivery waits to go (queued, retrying or deferred, its time come): the sender looks before it
    takes the write lock to claim."""
    return store._execute("SELECT 1 FROM notification_deliveries WHERE status IN ('queued', 'retrying', 'deferred')"
                          " AND next_attempt_at <= ? LIMIT 1", (store.dialect.stamp(now),)).fetchone() is not None
