"""What operations watch in the database itself (``/metrics``): the timers waiting, due and failed, and the outbox's
undelivered messages. The same on every host, so any web host or scheduler may report them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

OUTBOX_MAX_ATTEMPTS = 5  # the scheduler's retry gives a message up after this many attempts (retry_outbox)


@dataclass(frozen=True)
class Backlog:
    """Timers pending, already due, failed; the oldest due one; outbox messages undelivered, given up, oldest."""

    timers_pending: int
    timers_due: int
    timers_failed: int
    oldest_due_at: datetime | None
    outbox_undelivered: int
    outbox_given_up: int
    oldest_undelivered_at: datetime | None


def backlog(store: CaseStore, now: datetime) -> Backlog:
    """The timer and outbox backlog at ``now``: index range scans on ``timers (status, due_at)`` and the outbox's
    partial index of undelivered messages, so a scrape costs milliseconds however many cases there are."""
    stamp = store.dialect.stamp(now)
    pending, due, oldest = store._execute(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at <= ? THEN 1 ELSE 0 END), 0), MIN(due_at)"
        " FROM timers WHERE status = 'pending'", (stamp,)).fetchone()
    failed = store._execute("SELECT COUNT(*) FROM timers WHERE status = 'failed'").fetchone()[0]
    undelivered, given_up, oldest_message = store._execute(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN attempts >= ? THEN 1 ELSE 0 END), 0), MIN(created_at)"
        " FROM outbox WHERE delivered_at IS NULL", (OUTBOX_MAX_ATTEMPTS,)).fetchone()
    oldest_due = as_utc(oldest)
    return Backlog(int(pending), int(due), int(failed), oldest_due if oldest_due and oldest_due <= now else None,
                   int(undelivered), int(given_up), as_utc(oldest_message))
