"""Assessment inspections' writes (考评检查, ``uow.repository(InspectionStore)``): an item's result per visit, the
inspection row kept from its case's data, a failed item's rectification case — in the command's or the step's
transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

RESULT_COLUMNS = ("inspection_id", "visit", "item_code", "result", "deduction", "deduction_code", "note",
                  "photos_json", "recorded_by", "recorded_at")
# what the inspection's case keeps in its row (keep_inspection_row gives any of them)
ROW_FIELDS = ("case_id", "task_group", "state", "score", "deducted", "failed_items", "inspected_by", "inspected_at",
              "visits", "closed_at")
_TIMES = ("inspected_at", "closed_at")


class InspectionStore:
    """Writes ``assessment_inspections`` (the fields its case keeps) and ``assessment_results``."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def record_result(self, row: dict[str, Any], now: datetime) -> None:
        """One item of one visit (``RESULT_COLUMNS`` but the json and time from ``row``): a later record of the same
        item and visit replaces the earlier one (its rectification case, none yet, stays none)."""
        values = (row["inspection_id"], row["visit"], row["item_code"], row["result"], row["deduction"],
                  row["deduction_code"], row["note"], json.dumps(list(row["photos"])), row["recorded_by"],
                  self._store.dialect.stamp(now))
        self._store._execute(
            f"INSERT INTO assessment_results ({', '.join(RESULT_COLUMNS)}) VALUES ({', '.join('?' * len(values))})"
            " ON CONFLICT (inspection_id, visit, item_code) DO UPDATE SET result = excluded.result,"
            " deduction = excluded.deduction, deduction_code = excluded.deduction_code, note = excluded.note,"
            " photos_json = excluded.photos_json, recorded_by = excluded.recorded_by,"
            " recorded_at = excluded.recorded_at", values)

    def keep_row(self, inspection_id: int, case_id: int, fields: dict[str, Any]) -> None:
        """Set the inspection's ``fields`` (names of ``ROW_FIELDS``; times as datetimes) from its case ``case_id``:
        only the row's own case (or, at its start, the first case naming a row with none) moves it."""
        unknown = set(fields) - set(ROW_FIELDS)
        if unknown:
            raise ValueError(f"not an inspection field: {sorted(unknown)}")
        if not fields:
            return
        names = sorted(fields)
        values = [self._store.dialect.stamp(fields[n]) if n in _TIMES and fields[n] is not None else fields[n]
                  for n in names]
        self._store._execute("UPDATE assessment_inspections SET " + ", ".join(f"{n} = ?" for n in names)
                             + " WHERE id = ? AND (case_id = ? OR case_id IS NULL)", (*values, inspection_id, case_id))

    def set_rectification(self, inspection_id: int, visit: int, item_code: str, case_id: int) -> None:
        """The rectification case (整改) a failed item of a visit opened."""
        self._store._execute("UPDATE assessment_results SET case_id = ? WHERE inspection_id = ? AND visit = ?"
                             " AND item_code = ?", (case_id, inspection_id, visit, item_code))
