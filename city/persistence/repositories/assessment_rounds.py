"""The assessment rounds' repository (考评轮次): a round's row, its inspections' rows (one per active object, open,
no case yet: the inspection case's own hook fills it), and the round closed at its due time — written in the
step's transaction (``uow.repository(AssessmentRoundStore)``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore


class AssessmentRoundStore:
    """Writes assessment_rounds and the first state of assessment_inspections."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def insert_round(self, row: dict[str, Any], now: datetime) -> int:
        """A running round (``row``: scheme, period, case_id, checklist_id, starts_at, due_at, object_count,
        started_by); its id."""
        stamp = self._store.dialect.stamp
        found = self._store._execute(
            "INSERT INTO assessment_rounds (scheme, period, case_id, checklist_id, starts_at, due_at, state,"
            " object_count, started_by, started_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?) RETURNING id",
            (row["scheme"], row["period"], row["case_id"], row["checklist_id"], stamp(row["starts_at"]),
             stamp(row["due_at"]), row["object_count"], row["started_by"], stamp(now))).fetchone()
        return int(found[0])

    def insert_inspections(self, round_id: int, objects: Sequence[dict[str, Any]], due_at: datetime) -> list[int]:
        """One open inspection per object (``active_objects`` rows), in order, no visit yet and no case: their ids.
        The object's kind, district, street and company are kept as they are now: its items for the whole round,
        and where its score ranks in this period whatever the registry says later."""
        stamp = self._store.dialect.stamp(due_at)
        return [int(self._store._execute(
            "INSERT INTO assessment_inspections (round_id, object_id, object_kind, district_code, street_code,"
            " company_id, due_at, state, visits) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 0) RETURNING id",
            (round_id, o["id"], o["kind"], o["district_code"], o["street_code"], o["company_id"],
             stamp)).fetchone()[0]) for o in objects]

    def close_round(self, case_id: int, now: datetime) -> None:
        """The round of ``case_id`` closed at ``now`` (a closed round stays as it was)."""
        self._store._execute("UPDATE assessment_rounds SET state = 'closed', closed_at = ?"
                             " WHERE case_id = ? AND state = 'running'", (self._store.dialect.stamp(now), case_id))
