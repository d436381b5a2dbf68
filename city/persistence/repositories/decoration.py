"""Decoration works' writes (室内装修工程, ``uow.repository(DecorationStore)``): the works' rows, their removal and
state, and their links to waste cases — in the command's or the step's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.persistence.db import retry_unique
from engine.persistence.repositories.cases import CaseStore

CODE_TRIES = 5  # registrations taking the same code at once: each loser takes the next one

WORKS_COLUMNS = ("code", "case_id", "address", "compound_name", "district_code", "street_code", "grid_code", "lon",
                 "lat", "owner_name", "owner_phone", "contractor", "starts_on", "ends_on", "expected_waste_m3",
                 "registered_by")


class DecorationStore:
    """Writes ``decoration_works`` and ``decoration_case_links``."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def insert_works(self, row: dict[str, Any], now: datetime) -> int:
        """A new works in ``row["state"]`` (``WORKS_COLUMNS`` from ``row``); its id."""
        stamp = self._store.dialect.stamp(now)
        marks = ", ".join("?" * (len(WORKS_COLUMNS) + 3))
        found = self._store._execute(
            f"INSERT INTO decoration_works ({', '.join(WORKS_COLUMNS)}, state, registered_at, updated_at)"
            f" VALUES ({marks}) RETURNING id",
            (*(row[c] for c in WORKS_COLUMNS), row["state"], stamp, stamp)).fetchone()
        return int(found[0])

    def insert_numbered(self, numbered: Callable[[], dict[str, Any]], now: datetime) -> tuple[int, dict[str, Any]]:
        """A new works row (state ``registered``, no case yet) from ``numbered()``, which gives the next code each
        time it is called: called again when another transaction took the code first (each try in a savepoint, so
        the unique violation leaves the transaction usable). The row's id and the row."""
        def insert() -> tuple[int, dict[str, Any]]:
            row = numbered() | {"case_id": None, "state": "registered"}
            return self.insert_works(row, now), row

        return retry_unique(self._store._execute, "decoration_code", CODE_TRIES, insert)

    def attach_case(self, works_id: int, case_id: int, state: str, now: datetime) -> None:
        """The works' case, started after its row was numbered, and the state its first step left it in."""
        self._store._execute("UPDATE decoration_works SET case_id = ?, state = ?, updated_at = ? WHERE id = ?",
                             (case_id, state, self._store.dialect.stamp(now), works_id))

    def set_removal(self, works_id: int, permit_id: int, company_id: int, now: datetime) -> None:
        """The works' waste is removed under ``permit_id`` by ``company_id`` (registered now), unless a removal is
        registered already."""
        stamp = self._store.dialect.stamp(now)
        self._store._execute(
            "UPDATE decoration_works SET removal_permit_id = ?, removal_company_id = ?, removal_registered_at = ?,"
            " updated_at = ? WHERE id = ? AND removal_registered_at IS NULL",
            (permit_id, company_id, stamp, stamp, works_id))

    def set_state(self, case_id: int, state: str, now: datetime) -> int:
        """The works of case ``case_id`` is now ``state`` (when it was another); how many rows changed."""
        cursor = self._store._execute(
            "UPDATE decoration_works SET state = ?, updated_at = ? WHERE case_id = ? AND state <> ?",
            (state, self._store.dialect.stamp(now), case_id, state))
        return int(cursor.rowcount)

    def link_case(self, works_id: int, case_id: int, reason: str, now: datetime) -> bool:
        """Link the waste case ``case_id`` to the works (``reason``: why); False when it is linked already."""
        known = self._store._execute("SELECT 1 FROM decoration_case_links WHERE works_id = ? AND case_id = ?",
                                     (works_id, case_id)).fetchone()
        if known is not None:
            return False
        self._store._execute(
            "INSERT INTO decoration_case_links (works_id, case_id, reason, linked_at) VALUES (?, ?, ?, ?)",
            (works_id, case_id, reason[:200], self._store.dialect.stamp(now)))
        return True
