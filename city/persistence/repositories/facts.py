"""The facts repository as the history import uses it: which case numbers exist, storing facts, statistics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.persistence.repositories.cases import CaseStore

FACT_TABLES = ("case_facts", "case_fact_counts")


class FactStore:
    """Case facts and their per-month counts in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def existing(self, numbers: list[str]) -> tuple[set[str], dict[str, Any]]:
        """(live case numbers, imported number → its updated_at) among ``numbers``."""
        live: set[str] = set()
        imported: dict[str, Any] = {}
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            live.update(r[0] for r in self._store._execute(
                f"SELECT case_no FROM case_summaries WHERE case_no IN ({marks})", chunk).fetchall())
            for number, source, updated in self._store._execute(
                    f"SELECT case_no, source, updated_at FROM case_facts WHERE case_no IN ({marks})",
                    chunk).fetchall():
                if source == "history":
                    imported[number] = updated
                else:
                    live.add(number)
        return live, imported

    def upsert(self, rows: Iterable[FactRow], now: datetime, *, new: bool = False) -> int:
        """Store facts and move their counts (``city.persistence.repositories.fact_rows.upsert_facts``)."""
        return upsert_facts(self._store, rows, now, new=new)

    def analyze(self) -> None:
        """Refresh the planner's statistics of the facts and their counts (SQLite keeps none by itself)."""
        if self._store.dialect.sqlite:
            self._store._execute("PRAGMA analysis_limit = 2000")
        for table in FACT_TABLES:
            self._store._execute(f"ANALYZE {table}")
