"""The login throttle's rows: failed sign-ins per account and per client address (``login_throttle``).

Bound to a unit of work with ``uow.repository(LoginThrottleStore)``; the rules are ``engine.service.throttle``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class ThrottleRow:
    """One account's or address's failed sign-ins."""

    failures: int
    window_start: datetime
    last_failure_at: datetime
    blocked_until: datetime | None


class LoginThrottleStore:
    """Reads and writes ``login_throttle`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def row(self, scope: str, subject: str, *, lock: bool = False) -> ThrottleRow | None:
        """The row of ``subject`` in ``scope`` (``lock``: held until the transaction ends, on PostgreSQL)."""
        found = self._store._execute(
            "SELECT failures, window_start, last_failure_at, blocked_until FROM login_throttle"
            f" WHERE scope = ? AND subject = ?{self._store.dialect.for_update if lock else ''}",
            (scope, subject)).fetchone()
        if found is None:
            return None
        return ThrottleRow(int(found[0]), as_utc_not_null(found[1]), as_utc_not_null(found[2]), as_utc(found[3]))

    def locked_row(self, scope: str, subject: str, now: datetime) -> ThrottleRow:
        """The row of ``subject``, made (with no failures) when missing and locked for this transaction: two web
        processes counting the same subject's failures at once each add theirs."""
        stamp = self._store.dialect.stamp(now)
        self._store._execute("INSERT INTO login_throttle (scope, subject, failures, window_start, last_failure_at)"
                             " VALUES (?, ?, 0, ?, ?) ON CONFLICT (scope, subject) DO NOTHING",
                             (scope, subject, stamp, stamp))
        found = self.row(scope, subject, lock=True)
        assert found is not None  # inserted above, or there already
        return found

    def save(self, scope: str, subject: str, row: ThrottleRow) -> None:
        """Write the row of ``subject`` (made by ``locked_row``)."""
        stamp = self._store.dialect.stamp
        self._store._execute("UPDATE login_throttle SET failures = ?, window_start = ?, last_failure_at = ?,"
                             " blocked_until = ? WHERE scope = ? AND subject = ?",
                             (row.failures, stamp(row.window_start), stamp(row.last_failure_at),
                              stamp(row.blocked_until), scope, subject))

    def forget(self, scope: str, subject: str) -> bool:
        """Delete the row of ``subject``; False when there was none."""
        cur = self._store._execute("DELETE FROM login_throttle WHERE scope = ? AND subject = ?", (scope, subject))
        return bool(cur.rowcount == 1)

    def forget_idle(self, before: datetime) -> int:
        """Delete every row whose last failure is older than ``before`` (sprayed usernames do not pile up)."""
        cur = self._store._execute("DELETE FROM login_throttle WHERE last_failure_at < ?",
                                   (self._store.dialect.stamp(before),))
        return int(cur.rowcount)
