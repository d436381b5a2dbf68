"""The notifications repository: subscriptions, notifications and their deliveries, the delivery log, the inbox,
and the PostgreSQL wake-ups (``pg_notify``) the web listens for.

Bound to a unit of work with ``uow.repository(NotificationStore)``; the rules are ``engine.service.notifications``'.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain import notifications as n
from engine.domain.notification_secrets import PUBLIC_KINDS, without_secrets
from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.summaries import live_case_no

INBOX_CHANNEL = "gridcase_inbox"  # payload: the account whose inbox got items
TASKS_CHANNEL = "gridcase_tasks"  # payload: a candidate group or an assignee whose task list changed


@dataclass(frozen=True)
class Subscription:
    """An enabled subscription that may receive a delivery."""

    subject: str
    channel: str
    address: str
    events: tuple[str, ...]
    locale: str


@dataclass(frozen=True)
class DueDelivery:
    """A delivery the sender may take: with what its message is rendered from."""

    id: int
    channel: str
    address: str
    locale: str
    attempts: int
    kind: str
    urgency: str
    data: dict[str, Any]
    created_at: datetime


class NotificationStore:
    """Reads and writes the notification tables in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store
        self._stamp = store.dialect.stamp

    # -- subscriptions ------------------------------------------------------------------------------------------

    def save_subscription(self, kind: str, subject: str, channel: str, address: str, events: Sequence[str],
                          locale: str, enabled: bool, now: datetime) -> int:
        """Insert or update the subscription (kind, subject, channel, address); returns its id."""
        stamp = self._stamp(now)
        row = self._store._execute(
            "INSERT INTO notification_subscriptions (subject_kind, subject, channel, address, events, locale, enabled,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject_kind, subject, channel,"
            " address) DO UPDATE SET events = excluded.events, locale = excluded.locale, enabled = excluded.enabled,"
            " updated_at = excluded.updated_at RETURNING id",
            (kind, subject, channel, address, json.dumps(list(events)), locale, enabled, stamp, stamp)).fetchone()
        return int(row[0])

    def remove_subscription(self, subscription_id: int) -> bool:
        """Delete one subscription; False when there was none."""
        cur = self._store._execute("DELETE FROM notification_subscriptions WHERE id = ?", (subscription_id,))
        return bool(cur.rowcount == 1)

    def subscriptions(self, kind: str, subjects: Sequence[str]) -> list[Subscription]:
        """The enabled subscriptions of the persons (``kind`` 'person') or groups ``subjects``."""
        if not subjects:
            return []
        marks = ", ".join("?" * len(subjects))
        rows = self._store._execute(
            "SELECT subject, channel, address, events, locale FROM notification_subscriptions WHERE subject_kind = ?"
            f" AND enabled = ? AND subject IN ({marks}) ORDER BY id", (kind, True, *subjects)).fetchall()
        return [Subscription(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4]) for r in rows]

    def members(self, group: str) -> list[tuple[str, str, str | None, str | None]]:
        """(username, role, department, district) of the accounts that may belong to ``group``: its role, its
        department, a collector's ``collector:<district>`` or one person's ``person:<username>``; the service keeps
        those whose groups name it."""
        rows = self._store._execute(
            "SELECT username, role, department_code, district_code FROM users WHERE role = ? OR department_code = ?"
            " OR (role = 'collector' AND district_code = ?) OR username = ? ORDER BY username",
            (group, group, group.removeprefix("collector:"), group.removeprefix("person:"))).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    # -- notifications, deliveries, inbox -----------------------------------------------------------------------

    def add_notification(self, case_id: int | None, kind: str, urgency: str, recipient: tuple[str, str],
                         data: dict[str, Any], dedupe_key: str, now: datetime) -> int | None:
        """Write one notification; None when ``dedupe_key`` was written before (the same event, told once)."""
        row = self._store._execute(
            "INSERT INTO notifications (case_id, kind, urgency, recipient_kind, recipient, data, dedupe_key,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            (case_id, kind, urgency, recipient[0], recipient[1], json.dumps(data, ensure_ascii=False, default=str),
             dedupe_key, self._stamp(now))).fetchone()
        return None if row is None else int(row[0])

    def add_delivery(self, notification_id: int, channel: str, address: str, account: str | None, locale: str,
                     status: str, next_attempt_at: datetime, now: datetime) -> int:
        """Write one delivery (queued or deferred) and its first log row."""
        stamp = self._stamp(now)
        row = self._store._execute(
            "INSERT INTO notification_deliveries (notification_id, channel, address, account, locale, status,"
            " attempts, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
            (notification_id, channel, address, account, locale, status, self._stamp(next_attempt_at), stamp)
        ).fetchone()
        self.log(int(row[0]), status, None, now)
        return int(row[0])

    def log(self, delivery_id: int, status: str, error: str | None, now: datetime) -> None:
        """One row of the delivery log."""
        self._store._execute("INSERT INTO notification_attempts (delivery_id, at, status, error) VALUES (?, ?, ?, ?)",
                             (delivery_id, self._stamp(now), status, error))

    def add_inbox_items(self, items: Iterable[tuple[str, int, int | None, str, str, str | None]],
                        now: datetime) -> None:
        """Write inbox items (account, notification id, case id, title, body, link); on PostgreSQL wake each
        account's listeners in the same transaction."""
        rows = [(*item, self._stamp(now)) for item in items]
        self._store._executemany("INSERT INTO inbox_items (account, notification_id, case_id, title, body, link,"
                                 " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.wake(INBOX_CHANNEL, {row[0] for row in rows})

    def wake(self, channel: str, names: Iterable[str | None]) -> None:
        """PostgreSQL: ``pg_notify(channel, name)`` for each name, sent when the transaction commits (nothing on
        SQLite, where the web polls)."""
        if self._store.dialect.sqlite:
            return
        woken = sorted({name for name in names if name})
        if woken:  # one round trip for the step's whole list
            self._store._execute("SELECT pg_notify(?, name) FROM unnest(?::text[]) AS name", (channel, woken))

    def mark_read(self, account: str, ids: Sequence[int] | None, now: datetime) -> int:
        """Mark ``account``'s unread items read (the ``ids``, or all); returns how many."""
        where, params = "", [self._stamp(now), account]
        if ids is not None:
            if not ids:
                return 0
            where = f" AND id IN ({', '.join('?' * len(ids))})"
            params.extend(ids)
        cur = self._store._execute(f"UPDATE inbox_items SET read_at = ? WHERE account = ? AND read_at IS NULL{where}",
                                   params)
        marked = int(cur.rowcount)
        if marked:
            self.wake(INBOX_CHANNEL, {account})  # the bell's count falls in the account's other tabs and processes
        return marked

    # -- the sender ----------------------------------------------------------------------------------------------

    def due(self, now: datetime, limit: int, ids: Sequence[int] | None = None) -> list[DueDelivery]:
        """Deliveries waiting to go (queued, retrying, deferred) whose time has come, oldest first (with ``ids``,
        only those); locked on PostgreSQL (another sender skips them)."""
        marks = ", ".join("?" * len(n.DUE))
        only = "" if ids is None else f" AND d.id IN ({', '.join('?' * len(ids))})" if ids else " AND 1 = 0"
        rows = self._store._execute(
            "SELECT d.id, d.channel, d.address, d.locale, d.attempts, x.kind, x.urgency, x.data, x.created_at"
            " FROM notification_deliveries d JOIN notifications x ON x.id = d.notification_id"
            f" WHERE d.status IN ({marks}) AND d.next_attempt_at <= ?{only} ORDER BY d.next_attempt_at, d.id LIMIT ?"
            f"{self._store.dialect.skip_locked.replace('FOR UPDATE', 'FOR UPDATE OF d')}",
            (*n.DUE, self._stamp(now), *(ids or ()), limit)).fetchall()
        return [DueDelivery(int(r[0]), r[1], r[2], r[3], int(r[4]), r[5], r[6], json.loads(r[7]),
                            as_utc_not_null(r[8])) for r in rows]

    def claimed_since(self, channel: str, since: datetime) -> list[datetime]:
        """When the channel's deliveries were taken to send, after ``since`` (the rate limit's window)."""
        rows = self._store._execute("SELECT claimed_at FROM notification_deliveries WHERE channel = ?"
                                    " AND claimed_at > ?", (channel, self._stamp(since))).fetchall()
        return [as_utc_not_null(r[0]) for r in rows]

    def postpone(self, delivery_ids: Sequence[int], until: datetime, now: datetime) -> None:
        """Over a rate limit: the deliveries wait (status unchanged) until ``until``."""
        self._store._executemany("UPDATE notification_deliveries SET next_attempt_at = ?, updated_at = ? WHERE id = ?",
                                 [(self._stamp(until), self._stamp(now), i) for i in delivery_ids])

    def defer(self, delivery_id: int, until: datetime, now: datetime) -> None:
        """Quiet hours: the delivery waits, ``deferred``, until ``until`` (logged)."""
        self._store._execute("UPDATE notification_deliveries SET status = 'deferred', next_attempt_at = ?,"
                             " updated_at = ? WHERE id = ?", (self._stamp(until), self._stamp(now), delivery_id))
        self.log(delivery_id, n.DEFERRED, None, now)

    def mark_sending(self, delivery_ids: Sequence[int], now: datetime) -> None:
        """Taken to send: ``sending`` since ``now`` (the lease counts from here)."""
        stamp = self._stamp(now)
        self._store._executemany("UPDATE notification_deliveries SET status = 'sending', claimed_at = ?,"
                                 " updated_at = ? WHERE id = ?", [(stamp, stamp, i) for i in delivery_ids])

    def sending(self, delivery_id: int) -> tuple[int, str] | None:
        """(attempts, status) of a delivery, locked; None when there is none."""
        row = self._store._execute("SELECT attempts, status FROM notification_deliveries WHERE id = ?"
                                   f"{self._store.dialect.for_update}", (delivery_id,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def finish(self, delivery_id: int, status: str, attempts: int, error: str | None,
               next_attempt_at: datetime | None, sent_at: datetime | None, now: datetime) -> None:
        """Record how an attempt went (sent, retrying, failed) and log it."""
        self._store._execute(
            "UPDATE notification_deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?,"
            " sent_at = ?, updated_at = ? WHERE id = ?",
            (status, attempts, error, self._stamp(next_attempt_at), self._stamp(sent_at), self._stamp(now),
             delivery_id))
        self.log(delivery_id, status, error, now)
        if status in (n.SENT, n.FAILED):  # a public kind's code and link go once final (notification_secrets)
            self._forget_secrets(delivery_id)

    def _forget_secrets(self, delivery_id: int) -> None:
        row = self._store._execute("SELECT x.id, x.kind, x.data FROM notifications x JOIN notification_deliveries d"
                                   " ON d.notification_id = x.id WHERE d.id = ?", (delivery_id,)).fetchone()
        if row is not None and row[1] in PUBLIC_KINDS:
            kept = json.dumps(without_secrets(str(row[1]), json.loads(row[2])), ensure_ascii=False, default=str)
            self._store._execute("UPDATE notifications SET data = ? WHERE id = ?", (kept, int(row[0])))

    def stale_sending(self, before: datetime) -> list[int]:
        """Deliveries ``sending`` since before ``before`` (not locked: ``mark_unknown`` checks each again)."""
        return [int(r[0]) for r in self._store._execute(
            "SELECT id FROM notification_deliveries WHERE status = 'sending' AND claimed_at < ? ORDER BY id",
            (self._stamp(before),)).fetchall()]

    def mark_unknown(self, delivery_ids: Sequence[int], now: datetime) -> list[int]:
        """Those of ``delivery_ids`` still ``sending`` become ``unknown`` (logged); returns the ids changed. Each
        update says ``AND status = 'sending'`` and counts by its rowcount: a report committed since the look (its
        ``sent``) is never overwritten (PostgreSQL re-checks the condition on the row the report changed)."""
        error = "the sender stopped during the send: it may or may not have gone out; not sent again on its own"
        changed = []
        for delivery_id in delivery_ids:
            cur = self._store._execute("UPDATE notification_deliveries SET status = 'unknown', last_error = ?,"
                                       " updated_at = ? WHERE id = ? AND status = 'sending'",
                                       (error, self._stamp(now), delivery_id))
            if cur.rowcount == 1:
                self.log(delivery_id, n.UNKNOWN, error, now)
                changed.append(delivery_id)
        return changed

    def expire_sending(self, before: datetime, now: datetime) -> list[int]:
        """Deliveries ``sending`` since before ``before`` become ``unknown`` (logged); returns their ids."""
        return self.mark_unknown(self.stale_sending(before), now)

    def still_subscribed(self, delivery_id: int) -> bool:
        """Whether the delivery may go to its stored address again: sent straight to it (no account, told to a
        person: ``gridcase notify test``), or an enabled subscription of its person (the account) or its group
        (no account, told to a group) still has that channel and address."""
        row = self._store._execute(
            "SELECT d.account, x.recipient_kind, x.recipient, d.channel, d.address FROM notification_deliveries d"
            " JOIN notifications x ON x.id = d.notification_id WHERE d.id = ?", (delivery_id,)).fetchone()
        if row is None:
            return False
        account, recipient_kind, recipient, channel, address = row
        if account is None and recipient_kind == n.PERSON:
            return True
        subject = (n.PERSON, account) if account is not None else (n.GROUP, recipient)
        found = self._store._execute(
            "SELECT 1 FROM notification_subscriptions WHERE subject_kind = ? AND subject = ? AND channel = ?"
            " AND address = ? AND enabled = ?", (*subject, channel, address, True)).fetchone()
        return found is not None

    def requeue(self, delivery_id: int, now: datetime) -> str | None:
        """Queue a delivery again at ``now``; returns its status before (None: no such delivery)."""
        found = self.sending(delivery_id)
        if found is None:
            return None
        self._store._execute("UPDATE notification_deliveries SET status = 'queued', next_attempt_at = ?,"
                             " updated_at = ? WHERE id = ?", (self._stamp(now), self._stamp(now), delivery_id))
        self.log(delivery_id, n.QUEUED, "queued again by hand", now)
        return found[1]

    # -- what the step hook reads ---------------------------------------------------------------------------------

    def task(self, task_id: str) -> dict[str, Any] | None:
        """name, candidate_group, assignee, due_at of a human task (None: not a human task)."""
        row = self._store._execute("SELECT name, candidate_group, assignee, due_at FROM human_tasks WHERE id = ?",
                                   (task_id,)).fetchone()
        if row is None:
            return None
        return {"task_name": row[0], "group": row[1], "assignee": row[2], "due_at": as_utc(row[3])}

    def case_no(self, case_id: int) -> str | None:
        """The case's number (its summary row), if it has one yet."""
        return live_case_no(self._store, case_id)

    def department_name(self, code: str, locale: str) -> str | None:
        """A department's name in ``locale`` (None: ``code`` is no department)."""
        row = self._store._execute("SELECT name_zh, name_en FROM departments WHERE code = ?", (code,)).fetchone()
        return None if row is None else str(row[1] if locale == "en" else row[0])

    def job_call(self, task_id: str, topic: str) -> dict[str, Any] | None:
        """The prepared call of the ``topic`` job of service task ``task_id`` (None: no such job)."""
        row = self._store._execute("SELECT connector_call FROM jobs WHERE task_id = ? AND topic = ?",
                                   (task_id, topic)).fetchone()
        return None if row is None or row[0] is None else dict(json.loads(row[0]))
