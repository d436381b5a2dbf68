"""The emergency command dashboard's and after-action report's rows (应急指挥大屏, 事后报告; docs/emergency.md).

For one emergency: the emergency row; its incidents — live lifecycle cases reported in its area (districts, or the
responsibility grids of its streets) during its period, from ``case_facts`` through ``ix_case_facts_month_day_grid``
(one month range per month of the period) with the department's first action on each case (the first claim or
completion of a task of the department's group, by the primary key of ``human_tasks``); its hazard survey's findings
with their cases' facts; its assembly calls; the assembly messages its case sent. Shaping (states, percentiles,
per-team and per-department figures) is ``city.emergency.dashboard``'s.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from city.persistence.read.kpi_times import epoch_us
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

EMERGENCY_COLUMNS = ("id", "case_id", "kind", "level", "area_json", "starts_at", "ends_at", "commander",
                     "ack_within_minutes", "assembly_point_json", "state", "declared_by", "declared_at", "ended_at")
# times of incidents and hazards' cases as epoch microseconds (``…_us``): thousands of rows, and an integer costs the
# driver far less than a timestamp with its zone
INCIDENT_COLUMNS = ("case_id", "case_no", "subtype", "lon", "lat", "department", "result", "reported_us",
                    "dispatched_us", "disposed_us", "closed_us", "first_action_us")
HAZARD_COLUMNS = ("id", "campaign_id", "grid_code", "topic_code", "kind", "state", "lon", "lat", "at", "case_no",
                  "department", "result", "dispatched_us", "disposed_us", "closed_us")
CALL_COLUMNS = ("username", "team", "role", "district_code", "department_code", "leader", "notified_at",
                "acknowledged_at", "escalated_at", "checked_in_at", "state")
_TIMES = {"starts_at", "ends_at", "declared_at", "ended_at", "at", "notified_at", "acknowledged_at", "escalated_at",
          "checked_in_at"}
ASSEMBLY_KIND = "assembly"  # the notifications' kind the emergency's assembly messages are sent as


def _row(columns: tuple[str, ...], values: Any) -> dict[str, Any]:
    return {name: as_utc(value) if name in _TIMES else value for name, value in zip(columns, values, strict=True)}


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def emergency(store: CaseStore, emergency_id: int) -> dict[str, Any] | None:
    """The emergency's row (area and assembly point parsed), or None."""
    row = store._execute(f"SELECT {', '.join(EMERGENCY_COLUMNS)} FROM emergencies WHERE id = ?",
                         (emergency_id,)).fetchone()
    if row is None:
        return None
    found = _row(EMERGENCY_COLUMNS, row)
    found["area"] = json.loads(found.pop("area_json") or "{}")
    found["assembly_point"] = json.loads(found.pop("assembly_point_json") or "{}")
    return found


def incidents(store: CaseStore, area: dict[str, Any], since: datetime, until: datetime,
              months: list[str]) -> list[dict[str, Any]]:
    """Live cases reported in ``area`` (``districts``, ``streets``) from ``since`` to ``until``; ``months``: the
    yyyy-mm of the period in the city's zone (the index's leading column)."""
    districts = [str(d) for d in area.get("districts") or []]
    streets = [str(s) for s in area.get("streets") or []]
    if not months or not (districts or streets):
        return []
    places: list[str] = []
    if districts:
        places.append(f"f.district IN ({_marks(districts)})")
    if streets:
        places.append(f"f.resp_grid IN (SELECT code FROM resp_grids WHERE street_code IN ({_marks(streets)}))")
    stamp = store.dialect.stamp
    times = ", ".join(epoch_us(store, f"f.{c}") for c in ("reported_at", "dispatched_at", "disposed_at", "closed_at"))
    first = epoch_us(store, "MIN(COALESCE(h.claimed_at, h.completed_at))")
    rows = store._execute(
        f"SELECT f.case_id, f.case_no, f.subtype, f.lon, f.lat, f.department, f.result, {times},"
        f" (SELECT {first} FROM human_tasks h WHERE h.case_id = f.case_id AND h.candidate_group = f.department)"
        f" FROM case_facts f WHERE f.month IN ({_marks(months)}) AND f.source = 'live'"
        " AND f.reported_at >= ? AND f.reported_at <= ?"
        f" AND ({' OR '.join(places)}) ORDER BY f.reported_at",
        [*months, stamp(since), stamp(until), *districts, *streets]).fetchall()
    return [dict(zip(INCIDENT_COLUMNS, r, strict=True)) for r in rows]  # no timestamp to convert: plain dicts


def hazards(store: CaseStore, emergency_id: int) -> list[dict[str, Any]]:
    """The findings of the emergency's hazard surveys (every campaign naming it), with their cases' facts."""
    times = ", ".join(epoch_us(store, f"f.{c}") for c in ("dispatched_at", "disposed_at", "closed_at"))
    rows = store._execute(
        "SELECT cf.id, cf.campaign_id, cf.grid_code, cf.topic_code, cf.kind, cf.state, cf.lon, cf.lat, cf.at,"
        f" f.case_no, f.department, f.result, {times}"
        " FROM campaigns c JOIN campaign_findings cf ON cf.campaign_id = c.id"
        " LEFT JOIN case_facts f ON f.case_id = cf.case_id"
        " WHERE c.emergency_id = ? ORDER BY cf.id", (emergency_id,)).fetchall()
    return [_row(HAZARD_COLUMNS, r) for r in rows]


def hazard_case_ids(store: CaseStore, emergency_id: int) -> set[int]:
    """The lifecycle cases the emergency's hazard findings became (shown as hazards, not again as incidents)."""
    rows = store._execute(
        "SELECT cf.case_id FROM campaigns c JOIN campaign_findings cf ON cf.campaign_id = c.id"
        " WHERE c.emergency_id = ? AND cf.case_id IS NOT NULL", (emergency_id,)).fetchall()
    return {int(r[0]) for r in rows}


def calls(store: CaseStore, emergency_id: int) -> list[dict[str, Any]]:
    """The emergency's assembly calls, by team and person."""
    rows = store._execute(f"SELECT {', '.join(CALL_COLUMNS)} FROM assembly_calls WHERE emergency_id = ?"
                          " ORDER BY team, username", (emergency_id,)).fetchall()
    return [_row(CALL_COLUMNS, r) for r in rows]


def messages(store: CaseStore, case_id: int) -> dict[str, int]:
    """The assembly messages the emergency's case and its call cases sent: notifications, deliveries by status."""
    # the emergency's case and its people's assembly_call cases (channel assembly, external id "<emergency>:<user>")
    cases = "(SELECT ? UNION ALL SELECT id FROM cases WHERE channel = 'assembly' AND external_id LIKE ?)"
    params = (case_id, f"{case_id}:%", ASSEMBLY_KIND)
    sent = store._execute(f"SELECT COUNT(*) FROM notifications WHERE case_id IN {cases} AND kind = ?",
                          params).fetchone()
    out = {"notifications": int(sent[0]) if sent else 0}
    for status, count in store._execute(
            "SELECT d.status, COUNT(*) FROM notifications n JOIN notification_deliveries d"
            f" ON d.notification_id = n.id WHERE n.case_id IN {cases} AND n.kind = ? GROUP BY d.status",
            params).fetchall():
        out[f"deliveries_{status}"] = int(count)
    return out


def topic_names(store: CaseStore, codes: list[str]) -> dict[str, tuple[str, str]]:
    """Topic code → (Chinese name, English name)."""
    if not codes:
        return {}
    rows = store._execute(f"SELECT code, name, name_en FROM campaign_topics WHERE code IN ({_marks(codes)})",
                          codes).fetchall()
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def department_names(store: CaseStore, codes: list[str]) -> dict[str, tuple[str, str]]:
    """Department code → (Chinese name, English name)."""
    if not codes:
        return {}
    rows = store._execute(f"SELECT code, name_zh, name_en FROM departments WHERE code IN ({_marks(codes)})",
                          codes).fetchall()
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def department_codes(store: CaseStore) -> list[str]:
    """Every department's code (the task groups of the lifecycle's 处置)."""
    return [str(r[0]) for r in store._execute("SELECT code FROM departments ORDER BY code").fetchall()]


def emergency_list(store: CaseStore, limit: int = 50) -> list[dict[str, Any]]:
    """The newest emergencies (id, kind, level, state, declared_at)."""
    rows = store._execute("SELECT id, kind, level, state, declared_at FROM emergencies ORDER BY id DESC LIMIT ?",
                          (limit,)).fetchall()
    return [_row(("id", "kind", "level", "state", "declared_at"), r) for r in rows]
