"""The emergency repository (应急指挥): ``emergencies`` and ``assembly_calls``, kept by the emergency case's steps.

Every write here runs in a step's transaction (``city.emergency.read_model``), so the rows move with the case's
audit chain: a declaration writes the emergency and its calls, a task made ready or completed moves one call on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

CALL_CHANNEL = "assembly"  # the assembly_call cases' channel; external id <emergency id>:<username>
# what a call's state may move from: a later state is never overwritten by an earlier one
_BEFORE = {"acknowledged": ("called", "escalated"), "escalated": ("called",), "checked_in": ("called", "escalated",
                                                                                            "acknowledged")}


class EmergencyStore:
    """Writes ``emergencies`` and ``assembly_calls`` in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def people(self) -> list[tuple[str, str, str | None, str | None]]:
        """(username, role, department, district) of every account, by username (who a team may call)."""
        rows = self._store._execute(
            "SELECT username, role, department_code, district_code FROM users ORDER BY username").fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def declare(self, case_id: int, data: dict[str, Any], actor: str, now: datetime) -> None:
        """The emergency of the case (its id is the case's) and one call per person of ``data['assembly_list']``,
        state called; a declaration written before is left as it is."""
        stamp = self._store.dialect.stamp
        found = self._store._execute("SELECT 1 FROM emergencies WHERE id = ?", (case_id,)).fetchone()
        if found is not None:
            return
        self._store._execute(
            "INSERT INTO emergencies (id, case_id, kind, level, area_json, starts_at, ends_at, commander,"
            " ack_within_minutes, assembly_point_json, signal_kinds_json, state, declared_by, declared_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
            (case_id, case_id, data["kind"], data["level"], json.dumps(data["area"], ensure_ascii=False),
             stamp(_moment(data["starts_at"])), stamp(_moment(data["ends_at"])), data["commander"],
             int(data["ack_within_minutes"]), json.dumps(data.get("assembly_point") or {}, ensure_ascii=False),
             json.dumps(data.get("signal_kinds") or [], ensure_ascii=False), actor, stamp(now)))
        self._store._executemany(
            "INSERT INTO assembly_calls (emergency_id, username, team, role, district_code, department_code, leader,"
            " state) VALUES (?, ?, ?, ?, ?, ?, ?, 'called')",
            [(case_id, p["username"], p["team"], p["role"], p.get("district"), p.get("department"), p.get("leader"))
             for p in data.get("assembly_list") or []])

    def notified(self, case_id: int, usernames: Sequence[str], now: datetime) -> None:
        """The people's calls were sent (their acknowledge task is ready)."""
        self._store._executemany(
            "UPDATE assembly_calls SET notified_at = ? WHERE emergency_id = ? AND username = ? AND notified_at IS NULL",
            [(self._store.dialect.stamp(now), case_id, u) for u in usernames])

    def moved(self, case_id: int, username: str, state: str, now: datetime,
              position: tuple[float, float] | None = None) -> None:
        """A call moves on to ``state`` (acknowledged, escalated, checked_in) at ``now``; never backwards."""
        column = {"acknowledged": "acknowledged_at", "escalated": "escalated_at", "checked_in": "checked_in_at"}[state]
        stamp = self._store.dialect.stamp(now)
        lon, lat = position if position is not None else (None, None)
        allowed = ", ".join(f"'{s}'" for s in _BEFORE[state])
        self._store._execute(
            f"UPDATE assembly_calls SET {column} = COALESCE({column}, ?),"
            " check_in_lon = COALESCE(?, check_in_lon), check_in_lat = COALESCE(?, check_in_lat),"
            f" state = CASE WHEN state IN ({allowed}) THEN ? ELSE state END"
            " WHERE emergency_id = ? AND username = ?",
            (stamp, lon, lat, state, case_id, username))

    def ended(self, case_id: int, now: datetime) -> None:
        """The emergency is over (its commander or its period ended it)."""
        self._store._execute("UPDATE emergencies SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'active'",
                             (self._store.dialect.stamp(now), case_id))

    def call_key(self, case_id: int) -> tuple[int, str] | None:
        """(emergency id, username) of an ``assembly_call`` case (its external id ``<emergency>:<username>``)."""
        row = self._store._execute("SELECT external_id FROM cases WHERE id = ? AND channel = ?",
                                   (case_id, CALL_CHANNEL)).fetchone()
        if row is None or not row[0] or ":" not in row[0]:
            return None
        emergency, username = str(row[0]).split(":", 1)
        return int(emergency), username


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
