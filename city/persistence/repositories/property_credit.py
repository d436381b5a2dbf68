"""Property companies' credit events' writes (物业信用, ``uow.repository(PropertyCreditStore)``), in the step's
transaction: one row per event key, so a case or an inspection counts once however often its step is seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.persistence.repositories.cases import CaseStore

REASON_CHARS = 200  # property_credit_events.reason


@dataclass(frozen=True)
class CreditEvent:
    """Points a company loses (negative: regains) for one case or inspection of one of its compounds."""

    event_key: str  # case:<id> or inspection:<id>
    company_id: int
    object_id: int
    source: str  # case | inspection
    points: float
    reason: str
    at: datetime
    case_id: int | None = None
    inspection_id: int | None = None
    subtype_code: str | None = None


class PropertyCreditStore:
    """Writes ``property_credit_events``."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def record(self, event: CreditEvent) -> bool:
        """The event, unless its key is recorded already; whether it was written."""
        cursor = self._store._execute(
            "INSERT INTO property_credit_events (event_key, company_id, object_id, source, case_id, inspection_id,"
            " subtype_code, points, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (event_key) DO NOTHING",
            (event.event_key, event.company_id, event.object_id, event.source, event.case_id, event.inspection_id,
             event.subtype_code, event.points, event.reason[:REASON_CHARS], self._store.dialect.stamp(event.at)))
        return int(cursor.rowcount) == 1
