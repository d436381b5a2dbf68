"""Fixed-window request counters (``rate_counts``), shared by every process on the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from engine.persistence.repositories.cases import CaseStore

KEPT = timedelta(days=2)  # windows older than this are deleted (none is longer than a day)
KEY_CHARS = 200  # the column's width: a longer key is cut (a hash of it would hide nothing a client controls)


@dataclass(frozen=True)
class RateDecision:
    """One counted hit: allowed (within ``limit``), the window's hits so far, seconds until the window ends."""

    allowed: bool
    hits: int
    retry_after: int


def window_start(now: datetime, window_seconds: int) -> datetime:
    """The start of the fixed window ``now`` falls in (windows aligned to the Unix epoch, UTC)."""
    seconds = int(now.timestamp()) // window_seconds * window_seconds
    return datetime.fromtimestamp(seconds, UTC)


def take(store: CaseStore, scope: str, key: str, limit: int, window_seconds: int, now: datetime) -> RateDecision:
    """Count one hit of ``key`` in ``scope``'s current window; allowed while the window holds at most ``limit``.

    A hit over the limit is counted too (an address that keeps knocking stays refused). The first hit of a window
    deletes the scope's windows older than ``KEPT``."""
    start = window_start(now, window_seconds)
    row = store._execute(
        "INSERT INTO rate_counts (scope, key, window_start, hits) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (scope, key, window_start) DO UPDATE SET hits = rate_counts.hits + 1 RETURNING hits",
        (scope, key[:KEY_CHARS], store.dialect.stamp(start))).fetchone()
    hits = int(row[0])
    if hits == 1:
        store._execute("DELETE FROM rate_counts WHERE scope = ? AND window_start < ?",
                       (scope, store.dialect.stamp(now - KEPT)))
    retry_after = max(1, int((start + timedelta(seconds=window_seconds) - now).total_seconds() + 0.999))
    return RateDecision(hits <= limit, hits, retry_after)


def hits(store: CaseStore, scope: str, key: str, window_seconds: int, now: datetime) -> int:
    """The hits of ``key`` in ``scope``'s current window, without counting one."""
    row = store._execute("SELECT hits FROM rate_counts WHERE scope = ? AND key = ? AND window_start = ?",
                         (scope, key[:KEY_CHARS], store.dialect.stamp(window_start(now, window_seconds)))).fetchone()
    return 0 if row is None else int(row[0])
