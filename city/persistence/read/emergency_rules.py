"""Read query of the emergency rules (应急规则): the emergencies in state active, for ``emergency_at``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class ActiveEmergency:
    """One declared emergency still in state active: its area and period decide which reports it covers."""

    id: int
    kind: str
    level: str
    districts: frozenset[str]
    streets: frozenset[str]
    starts_at: datetime
    ends_at: datetime
    signal_kinds: tuple[str, ...]

    def covers(self, now: datetime, district: str | None, street: str | None) -> bool:
        """Whether a point in ``district`` / ``street`` is under this emergency at ``now`` (ends_at excluded)."""
        if not self.starts_at <= now < self.ends_at:
            return False
        return (district is not None and district in self.districts) or (street is not None and street in self.streets)


def active_emergencies(store: CaseStore) -> list[ActiveEmergency]:
    """Every emergency in state active, the most recently started first (the first that covers a point wins)."""
    rows = store._execute(
        "SELECT id, kind, level, area_json, starts_at, ends_at, signal_kinds_json FROM emergencies"
        " WHERE state = 'active' ORDER BY starts_at DESC, id DESC").fetchall()
    found = []
    for row in rows:
        area = json.loads(row[3] or "{}")
        found.append(ActiveEmergency(
            int(row[0]), str(row[1]), str(row[2]), frozenset(map(str, area.get("districts") or ())),
            frozenset(map(str, area.get("streets") or ())), as_utc_not_null(row[4]), as_utc_not_null(row[5]),
            tuple(map(str, json.loads(row[6] or "[]")))))
    return found
