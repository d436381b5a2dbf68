"""The per-month rollups ``upsert_facts`` keeps in the facts' transaction (``case_fact_counts``,
``case_fact_grid_counts``, ``case_fact_channel_counts``) equal the facts grouped afresh, on SQLite and
PostgreSQL, after new cases and after cases moved to another month, grid, channel or source."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from city.facts.model import CaseFacts
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.persistence.uow import UnitOfWork, command_scope

NOW = datetime(2025, 12, 1, tzinfo=UTC)
ROLLUPS = {  # table → its key columns, each '' where the fact has none
    "case_fact_counts": ("month", "unit_grid", "subtype", "channel", "department"),
    "case_fact_grid_counts": ("unit_grid", "month", "source"),
    "case_fact_channel_counts": ("channel", "unit_grid", "month"),
}


def _rows(rng: random.Random, count: int) -> list[FactRow]:
    out = []
    for i in range(count):
        at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 120))
        out.append(FactRow(f"R{i:04d}", source=rng.choice(["history", "live"]), facts=CaseFacts(
            reported_at=at, channel=rng.choice(["patrol", "hotline", None]), subtype=rng.choice(["0101", "0601"]),
            district="350602", resp_grid="S1", unit_grid=rng.choice(["U1", "U2", None]),
            department=rng.choice(["D1", None]), result="open", counters={})))
    return out


def _check(db: Engine) -> None:
    with UnitOfWork(db, read_only=True) as uow:
        for table, keys in ROLLUPS.items():
            grouped = ", ".join(f"COALESCE({k}, '')" for k in keys)
            expected = {tuple(r[:-1]): r[-1] for r in uow.store._execute(
                f"SELECT {grouped}, COUNT(*) FROM case_facts GROUP BY {grouped}").fetchall()}
            kept = {tuple(r[:-1]): r[-1] for r in uow.store._execute(
                f"SELECT {', '.join(keys)}, cases FROM {table}").fetchall() if r[-1]}
            assert kept == expected, table


def test_the_rollups_follow_new_and_moved_cases(db: Engine) -> None:
    rng = random.Random(11)
    rows = _rows(rng, 120)
    with command_scope(), UnitOfWork(db) as uow:
        upsert_facts(uow.store, rows, NOW, new=True)
    _check(db)
    moved = [FactRow(r.case_no, source=new.source, facts=new.facts)  # another month, grid, channel or source
             for r, new in ((r, _rows(rng, 1)[0]) for r in rng.sample(rows, 60))]
    with command_scope(), UnitOfWork(db) as uow:
        upsert_facts(uow.store, moved, NOW)
    _check(db)
