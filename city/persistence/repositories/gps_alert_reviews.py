"""The transport alert review's writes to ``gps_alerts`` (渣土运输告警复核), in the step's transaction
(``uow.repository(GpsAlertReviewStore)``)."""

from __future__ import annotations

from engine.persistence.repositories.cases import CaseStore


class GpsAlertReviewStore:
    """Writes the reviewed state of a GPS alert."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def record_review(self, alert_id: int, review_case_id: int, state: str) -> int:
        """The alert ``alert_id`` is ``state`` (confirmed or dismissed) when ``review_case_id`` is its review case
        and it is still open; how many rows changed (0: another case's alert, or already reviewed)."""
        cursor = self._store._execute(
            "UPDATE gps_alerts SET state = ? WHERE id = ? AND review_case_id = ? AND state = 'open'",
            (state, alert_id, review_case_id))
        return int(cursor.rowcount)
