"""The enforcement cases' repository (智慧执法, city/enforcement): the row a transfer inserts, the fields each step of
the enforcement case keeps, and the 文书号 given when filing is approved — all in the command's transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from city.persistence.read import enforcement_rows as reads
from city.persistence.read.enforcement_search import TIMES
from engine.persistence.db import retry_unique
from engine.persistence.repositories.cases import CaseStore

INSERTED = ("case_id", "origin_case_id", "team", "stage", "subtype_code", "district_code", "lon", "lat", "summary",
            "transferred_by", "transferred_at", "updated_at")
KEPT = ("stage", "party_name", "party_kind", "party_id", "legal_basis", "penalty_kind", "fine_amount", "result",
        "filed_at", "decided_at", "served_at", "executed_at", "closed_at")
NUMBER_TRIES = 5  # a number another transaction took meanwhile is taken again from the new highest


class EnforcementStore:
    """Writes ``enforcement_cases`` (``uow.repository(EnforcementStore)``)."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def _value(self, column: str, value: Any) -> Any:
        if column in TIMES:
            return self._store.dialect.stamp(value)
        if isinstance(value, Decimal) and self._store.dialect.sqlite:  # sqlite3 binds no Decimal; NUMERIC keeps it
            return float(value)
        return value

    def insert_case(self, values: dict[str, Any]) -> int:
        """A transferred case's row (``INSERTED``'s columns); its id."""
        marks = ", ".join("?" for _ in INSERTED)
        row = self._store._execute(
            f"INSERT INTO enforcement_cases ({', '.join(INSERTED)}) VALUES ({marks}) RETURNING id",
            [self._value(c, values[c]) for c in INSERTED]).fetchone()
        return int(row[0])

    def keep(self, case_id: int, values: dict[str, Any], now: datetime) -> None:
        """Set ``KEPT``'s columns of enforcement case ``case_id`` (its process case) as its newest data says."""
        sets = ", ".join(f"{c} = ?" for c in KEPT)
        self._store._execute(f"UPDATE enforcement_cases SET {sets}, updated_at = ? WHERE case_id = ?",
                             [*(self._value(c, values.get(c)) for c in KEPT), self._store.dialect.stamp(now),
                              case_id])

    def give_number(self, case_id: int, prefix: str, year: int) -> str:
        """Give the case the next 文书号 of ``prefix`` in ``year`` (``漳城执罚〔2026〕00012号``): the highest so far
        plus one, taken again when another transaction took it first (each try in a savepoint, so a unique
        violation leaves the step's transaction usable)."""
        head = f"{prefix}〔{year}〕"

        def take_next() -> str:
            last = reads.last_number(self._store, head)
            number = f"{head}{(int(last[len(head):-1]) if last else 0) + 1:05d}号"
            self._store._execute("UPDATE enforcement_cases SET number = ? WHERE case_id = ?", (number, case_id))
            return number

        return retry_unique(self._store._execute, "enforcement_number", NUMBER_TRIES, take_next)
