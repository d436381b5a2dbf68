"""Read queries of emergency command (应急指挥): the emergencies, their assembly calls, a person's open tasks."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

_EMERGENCY = ("id", "case_id", "kind", "level", "area", "starts_at", "ends_at", "commander", "ack_within_minutes",
              "assembly_point", "signal_kinds", "state", "declared_by", "declared_at", "ended_at", "case_no")
_CALL = ("username", "team", "role", "district_code", "department_code", "leader", "notified_at", "acknowledged_at",
         "escalated_at", "checked_in_at", "check_in_lon", "check_in_lat", "state")
_SELECT = ("SELECT e.id, e.case_id, e.kind, e.level, e.area_json, e.starts_at, e.ends_at, e.commander,"
           " e.ack_within_minutes, e.assembly_point_json, e.signal_kinds_json, e.state, e.declared_by, e.declared_at,"
           " e.ended_at, s.case_no FROM emergencies e LEFT JOIN case_summaries s ON s.case_id = e.case_id")
_JSON = ("area", "assembly_point", "signal_kinds")
_TIMES = ("starts_at", "ends_at", "declared_at", "ended_at", "notified_at", "acknowledged_at", "escalated_at",
          "checked_in_at")


def _row(names: tuple[str, ...], row: Any) -> dict[str, Any]:
    out = dict(zip(names, row, strict=True))
    for name in _JSON:
        if name in out:
            out[name] = json.loads(out[name] or "null")
    for name in _TIMES:
        if name in out:
            out[name] = as_utc(out[name])
    return out


def emergencies(store: CaseStore, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The emergencies (``state`` active or ended; None: both), newest first."""
    where, params = ("", ()) if state is None else (" WHERE e.state = ?", (state,))
    rows = store._execute(_SELECT + where + " ORDER BY e.declared_at DESC, e.id DESC LIMIT ?", (*params, limit))
    return [_row(_EMERGENCY, r) for r in rows.fetchall()]


def emergency(store: CaseStore, emergency_id: int) -> dict[str, Any] | None:
    """One emergency with its case number, or None."""
    row = store._execute(_SELECT + " WHERE e.id = ?", (emergency_id,)).fetchone()
    return None if row is None else _row(_EMERGENCY, row)


def calls(store: CaseStore, emergency_id: int) -> list[dict[str, Any]]:
    """Every assembly call of the emergency, by team and username."""
    rows = store._execute(f"SELECT {', '.join(_CALL)} FROM assembly_calls WHERE emergency_id = ?"
                          " ORDER BY team, username", (emergency_id,)).fetchall()
    return [_row(_CALL, r) for r in rows]


def call_of(store: CaseStore, emergency_id: int, username: str) -> dict[str, Any] | None:
    """One person's call, or None (not called)."""
    row = store._execute(f"SELECT {', '.join(_CALL)} FROM assembly_calls WHERE emergency_id = ? AND username = ?",
                         (emergency_id, username)).fetchone()
    return None if row is None else _row(_CALL, row)


def ready_task(store: CaseStore, case_id: int, bpmn_id: str, group: str) -> str | None:
    """The id of the case's ready task ``bpmn_id`` of ``group`` (the commander's end task), or None."""
    row = store._execute("SELECT id FROM human_tasks WHERE case_id = ? AND bpmn_id = ? AND candidate_group = ?"
                         " AND state = 'ready'", (case_id, bpmn_id, group)).fetchone()
    return None if row is None else str(row[0])


def call_task(store: CaseStore, emergency_id: int, username: str, bpmn_id: str) -> str | None:
    """The id of the ready task ``bpmn_id`` of the person's ``assembly_call`` case of the emergency, or None."""
    row = store._execute("SELECT h.id FROM cases c JOIN human_tasks h ON h.case_id = c.id WHERE c.channel = 'assembly'"
                         " AND c.external_id = ? AND h.bpmn_id = ? AND h.state = 'ready'",
                         (f"{emergency_id}:{username}", bpmn_id)).fetchone()
    return None if row is None else str(row[0])


def team_counts(store: CaseStore, emergency_id: int) -> list[dict[str, Any]]:
    """Per team: how many were called (all) and how many are now acknowledged, escalated (not yet acknowledged)
    and checked in (the assembly page's table)."""
    rows = store._execute(
        "SELECT team, state, COUNT(*) FROM assembly_calls WHERE emergency_id = ? GROUP BY team, state ORDER BY team",
        (emergency_id,)).fetchall()
    teams: dict[str, dict[str, Any]] = {}
    for team, state, count in rows:
        entry = teams.setdefault(team, {"team": team, "called": 0, "acknowledged": 0, "escalated": 0,
                                        "checked_in": 0})
        entry["called"] += int(count)  # every call was a call; the other counts are the calls' present states
        if state != "called":
            entry[state] = entry.get(state, 0) + int(count)
    return list(teams.values())
