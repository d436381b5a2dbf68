"""What the health check reports: that the database answers, and (for admins) how many cases and timers wait."""

from __future__ import annotations

from engine.persistence.repositories.cases import CaseStore


def counts(store: CaseStore) -> tuple[int, int]:
    """(cases, pending timers)."""
    cases = store._execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    timers = store._execute("SELECT COUNT(*) FROM timers WHERE status = 'pending'").fetchone()[0]
    return int(cases), int(timers)


def ping(store: CaseStore) -> None:
    """One cheap read of the cases table: the database answers and the table can be read (a lock that blocks
    readers shows). Counting the cases is an admin's question, a full scan a load balancer polling every few
    seconds should not cause."""
    store._execute("SELECT id FROM cases LIMIT 1").fetchone()
