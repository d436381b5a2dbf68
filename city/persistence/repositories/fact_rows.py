"""Writing case facts and keeping the per-month counts in step, in the caller's transaction.

Live steps and the history importer write through ``upsert_facts``: the row is replaced, the first
dispatch time and the first person to verify, dispatch and check are kept, ``case_fact_counts``
moves the case from its old (month, grid, subtype, channel, department) to its new one, likewise
``case_fact_grid_counts`` (unit grid, month, source) and ``case_fact_channel_counts`` (channel, unit grid, month).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from city.facts.model import COUNTERS, CaseFacts
from engine.persistence.repositories.cases import CaseStore

_FIELDS = ("case_id", "source", "month", "day", "reported_at", "channel", "subtype", "district", "resp_grid",
           "unit_grid", "lon", "lat", "department", "returned_by", "reporter", "verifier", "dispatcher", "checker",
           "verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at", "due_at", "result",
           "void_reason", "close_type", "closed_on_time", *COUNTERS, "updated_at")
_TIMES = {"reported_at", "verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at", "due_at",
          "updated_at"}
# Kept from the first time they are known: the first dispatch is what 按时派遣 measures, and the first
# verifier, dispatcher and checker are who the role indicators count.
_FIRST = ("dispatched_at", "verifier", "dispatcher", "checker")
# The per-month counts a case moves in (table, key columns): per month, grid, subtype, channel and department;
# per grid, month and source (migration 0013); per channel, grid and month (migration 0014).
_COUNTS = (("case_fact_counts", ("month", "unit_grid", "subtype", "channel", "department")),
           ("case_fact_grid_counts", ("unit_grid", "month", "source")),
           ("case_fact_channel_counts", ("channel", "unit_grid", "month")))
_UPSERT = (
    f"INSERT INTO case_facts (case_no, {', '.join(_FIELDS)}) VALUES (?, {', '.join('?' * len(_FIELDS))})"
    " ON CONFLICT (case_no) DO UPDATE SET "
    + ", ".join(f"{f} = COALESCE(case_facts.{f}, excluded.{f})" if f in _FIRST else f"{f} = excluded.{f}"
                for f in _FIELDS)
)


@dataclass(frozen=True)
class FactRow:
    """A case's facts as stored: the facts, its number, where it came from and who did the role tasks."""

    case_no: str
    facts: CaseFacts
    source: str = "live"
    case_id: int | None = None
    roles: dict[str, str] | None = None  # verifier / dispatcher / checker → username


def _count_key(month: str, unit_grid: str | None, subtype: str | None, channel: str | None,
               department: str | None) -> tuple[str, ...]:
    return (month, unit_grid or "", subtype or "", channel or "", department or "")


def _values(row: FactRow, store: CaseStore, now: datetime) -> tuple[object, ...]:
    facts = row.facts
    # vars(), not asdict(): asdict deep-copies every datetime, the import's main cost at 2.8 M rows
    base = {**vars(facts), **{c: facts.counters.get(c, 0) for c in COUNTERS}, **(row.roles or {})}
    values = {**base, "case_id": row.case_id, "source": row.source, "month": facts.month, "day": facts.day,
              "updated_at": now}
    return (row.case_no, *(store.dialect.stamp(values.get(f)) if f in _TIMES else values.get(f) for f in _FIELDS))


def upsert_facts(store: CaseStore, rows: Iterable[FactRow], now: datetime, *, new: bool = False) -> int:
    """Store the rows (replacing earlier facts of the same cases) and move their counts; returns how many.

    ``new``: the caller knows none of these cases has facts yet (the history import), so their old
    counts are not looked up.
    """
    rows = list(rows)
    if not rows:
        return 0
    old = {} if new else _old_keys(store, [r.case_no for r in rows])
    store._executemany(_UPSERT, (_values(r, store, now) for r in rows))
    moves: tuple[dict[tuple[str, ...], int], ...] = ({}, {}, {})  # one per table of _COUNTS
    for row in rows:
        f = row.facts
        count_key = _count_key(f.month, f.unit_grid, f.subtype, f.channel, f.department)
        after = (count_key, (f.unit_grid or "", f.month, row.source), _channel_key(count_key))
        known = old.get(row.case_no)
        before = None if known is None else (*known, _channel_key(known[0]))
        for index, moved in enumerate(moves):
            if before is not None and before[index] == after[index]:
                continue
            if before is not None:
                moved[before[index]] = moved.get(before[index], 0) - 1
            moved[after[index]] = moved.get(after[index], 0) + 1
    for (table, columns), moved in zip(_COUNTS, moves, strict=True):
        store._executemany(
            f"INSERT INTO {table} ({', '.join(columns)}, cases) VALUES ({', '.join('?' * (len(columns) + 1))})"
            f" ON CONFLICT ({', '.join(columns)}) DO UPDATE SET cases = {table}.cases + excluded.cases",
            ((*key, delta) for key, delta in sorted(moved.items()) if delta))
    return len(rows)


def _channel_key(count_key: tuple[str, ...]) -> tuple[str, ...]:
    """A case's key in ``case_fact_channel_counts`` from its key in ``case_fact_counts``."""
    month, unit_grid, _, channel, _ = count_key
    return channel, unit_grid, month


def _old_keys(store: CaseStore, case_nos: list[str]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """case_no → (its key in ``case_fact_counts``, its key in ``case_fact_grid_counts``) as stored."""
    found: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for start in range(0, len(case_nos), 500):
        chunk = case_nos[start:start + 500]
        rows = store._execute("SELECT case_no, month, unit_grid, subtype, channel, department, source FROM case_facts"
                             f" WHERE case_no IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
        found.update({r[0]: (_count_key(*r[1:6]), (r[2] or "", r[1], r[6])) for r in rows})
    return found
