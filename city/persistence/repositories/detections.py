"""The detections repository: what the cameras saw, and the cases their alerts opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore


class DetectionStore:
    """Reads and writes ``vision_detections`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def known(self, record_ids: Sequence[str]) -> set[str]:
        """Which of ``record_ids`` are stored already."""
        if not record_ids:
            return set()
        rows = self._store._execute("SELECT record_id FROM vision_detections"
                                   f" WHERE record_id IN ({', '.join('?' * len(record_ids))})", record_ids)
        return {k for (k,) in rows.fetchall()}

    def add(self, rows: Sequence[tuple[Any, ...]], now: datetime, received_by: str) -> None:
        """Store records (record id, camera, observed at, class, score, x1, y1, x2, y2, track, zone, dwell, rule,
        subtype, case number); one already stored is skipped."""
        stamp = self._store.dialect.stamp
        self._store._executemany(
            "INSERT INTO vision_detections (record_id, camera_id, observed_at, class_name, score, x1, y1, x2, y2,"
            " track_id, zone_id, dwell_seconds, rule_id, subtype, case_no, received_at, received_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id) DO NOTHING",
            [(*r[:2], stamp(r[2]), *r[3:], stamp(now), received_by) for r in rows])

    def alert_cases(self) -> list[tuple[Any, ...]]:
        """Per camera, rule and case an alert opened: (camera, rule, case number, first seen, case status,
        department, evaluation JSON), by camera and rule."""
        return list(self._store._execute(
            "SELECT d.camera_id, d.rule_id, d.case_no, MIN(d.observed_at), c.status, s.department, s.evaluation"
            " FROM vision_detections d JOIN case_summaries s ON s.case_no = d.case_no JOIN cases c ON c.id = s.case_id"
            " WHERE d.rule_id IS NOT NULL GROUP BY d.camera_id, d.rule_id, d.case_no, c.status, s.department,"
            " s.evaluation ORDER BY d.camera_id, d.rule_id").fetchall())
