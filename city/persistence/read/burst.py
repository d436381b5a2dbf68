"""Read queries of the burst bench (bench/burst_bench.py): the cases a burst of reports made, and their dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class BurstCounts:
    """The cases whose external id starts with a burst's prefix: how many, for how many external ids, for how many
    external ids a case is dispatched (派遣, by rule or by a person), the last dispatch and the audit events
    the engine's steps wrote for them (``steps``)."""

    cases: int
    external_ids: int
    dispatched: int
    last_dispatched_at: datetime | None
    steps: int


def burst_counts(store: CaseStore, external_prefix: str) -> BurstCounts:
    """The burst's cases so far (external ids starting with ``external_prefix``, a plain prefix, not a pattern)."""
    if "%" in external_prefix or "_" in external_prefix:
        raise ValueError(f"a burst prefix is plain text, not a LIKE pattern: {external_prefix!r}")
    row = store._execute(
        "SELECT count(*), count(DISTINCT c.external_id),"
        " count(DISTINCT CASE WHEN f.dispatched_at IS NOT NULL THEN c.external_id END), max(f.dispatched_at)"
        " FROM cases c LEFT JOIN case_facts f ON f.case_id = c.id WHERE c.external_id LIKE ?",
        (external_prefix + "%",)).fetchone()
    steps = store._execute(
        "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id"
        " WHERE c.external_id LIKE ?", (external_prefix + "%",)).fetchone()
    return BurstCounts(int(row[0]), int(row[1]), int(row[2]), as_utc(row[3]), int(steps[0]))


def undispatched(store: CaseStore, external_prefix: str, limit: int = 20) -> list[str]:
    """External ids of the burst's cases not dispatched yet (a few, to name in the bench's output)."""
    rows = store._execute(
        "SELECT c.external_id FROM cases c LEFT JOIN case_facts f ON f.case_id = c.id"
        " WHERE c.external_id LIKE ? AND f.dispatched_at IS NULL ORDER BY c.id LIMIT ?",
        (external_prefix + "%", limit)).fetchall()
    return [str(r[0]) for r in rows]
