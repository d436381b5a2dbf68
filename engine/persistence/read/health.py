"""What the health check reports: how many cases there are and how many timers wait."""

from __future__ import annotations

from engine.persistence.repositories.cases import CaseStore


def counts(store: CaseStore) -> tuple[int, int]:
    """(cases, pending timers)."""
    cases = store._execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    timers = store._execute("SELECT COUNT(*) FROM timers WHERE status = 'pending'").fetchone()[0]
    return int(cases), int(timers)
