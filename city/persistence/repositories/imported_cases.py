"""The imported cases repository: the legacy summary of each open case imported (``city.cutover``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

ROLES = ("verifier", "dispatcher", "checker")  # case_facts' role columns (fixed names: safe in the SQL text)


class ImportedCaseStore:
    """Writes ``imported_cases`` (``uow.repository(ImportedCaseStore)``)."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def existing(self, channel: str, numbers: list[str]) -> set[str]:
        """The legacy numbers among ``numbers`` already imported as live cases (``cases.channel`` = ``channel``)."""
        found: set[str] = set()
        for start in range(0, len(numbers), 500):  # bounded IN lists
            chunk = numbers[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._store._execute(f"SELECT external_id FROM cases WHERE channel = ? AND external_id IN ({marks})",
                                        (channel, *chunk)).fetchall()
            found.update(str(r[0]) for r in rows)
        return found

    def lock_numbers(self, channel: str, numbers: list[str]) -> None:
        """Hold the legacy numbers till the transaction ends, so two imports of one file at once do not both start
        the same case: the second waits, then finds the first's cases present (PostgreSQL's transaction-scoped
        advisory locks, taken in one order so two batches never wait on each other; SQLite writes one at a time)."""
        if self._store.dialect.sqlite:
            return
        for number in sorted(set(numbers)):
            self._store._execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (f"{channel}:{number}",))

    def credit_roles(self, case_id: int, actor: str, people: dict[str, str]) -> None:
        """The role KPIs count the legacy people, not the import: each of the case's verifier, dispatcher and
        checker that ``actor`` (the import) was credited with becomes the row's legacy person, or nobody."""
        sets = ", ".join(f"{role} = CASE WHEN {role} = ? THEN ? ELSE {role} END" for role in ROLES)
        params = [value for role in ROLES for value in (actor, people.get(role))]
        self._store._execute(f"UPDATE case_facts SET {sets} WHERE case_id = ?", (*params, case_id))

    def add(self, case_id: int, legacy_no: str, step: str, history: dict[str, Any], actor: str,
            now: datetime) -> None:
        """Keep the legacy summary of ``case_id``."""
        self._store._execute(
            "INSERT INTO imported_cases (case_id, legacy_no, step, history_json, imported_at, imported_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (case_id, legacy_no, step, json.dumps(history, ensure_ascii=False, sort_keys=True),
             self._store.dialect.stamp(now), actor))
