"""The command dashboard (应急指挥大屏) and the after-action report (事后报告) of one emergency (docs/emergency.md).

Both read the same rows (``city.persistence.read.emergency_dashboard``) in one read-only transaction and shape them
here: each incident's and hazard's state, counts by state, assembly by team (time to acknowledge, time to assemble:
the last check-in after the declaration), departments' response (dispatch → first action) and fix (dispatch →
disposal reported) times, the assembly messages sent and acknowledged. Times are seconds; percentiles nearest-rank.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from city.persistence.read import emergency_dashboard as rows
from engine.domain.city_zone import city_zone
from engine.domain.errors import NotFound
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps

INCIDENT_STATES = ("reported", "dispatched", "disposed", "closed")
HAZARD_STATES = ("reported", "dispatched", "disposed", "closed", "watched", "escalated", "fixed", "recorded")
CALL_STATES = ("called", "acknowledged", "escalated", "checked_in")


def percentile(values: Iterable[float], share: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return round((end - start).total_seconds(), 1)


def _span_us(start: int | None, end: int | None) -> float | None:
    """Seconds between two epoch-microsecond times (the read model's ``…_us``)."""
    if start is None or end is None or end < start:
        return None
    return round((end - start) / 1_000_000, 1)


def case_state(row: dict[str, Any]) -> str:
    """A lifecycle case's state on the dashboard: closed (or voided), disposed, dispatched, reported."""
    if row.get("result") in ("closed", "voided") or row.get("closed_us") is not None:
        return "closed"
    if row.get("disposed_us") is not None:
        return "disposed"
    if row.get("dispatched_us") is not None:
        return "dispatched"
    return "reported"


def hazard_state(row: dict[str, Any]) -> str:
    """A finding's state: its case's when it became one, its own when watched; a record is 'recorded'."""
    if row["kind"] == "case":
        return case_state(row) if row.get("case_no") else "reported"
    if row["kind"] == "watched":
        return str(row.get("state") or "watched")
    return "recorded"


def _months(since: datetime, until: datetime) -> list[str]:
    """yyyy-mm of every month from ``since`` to ``until`` in the city's zone."""
    first, last = since.astimezone(city_zone()), until.astimezone(city_zone())
    out: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month) and len(out) < 240:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _teams(calls: list[dict[str, Any]], declared: datetime) -> list[dict[str, Any]]:
    by_team: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        by_team.setdefault(str(call["team"]), []).append(call)
    out = []
    for team, members in sorted(by_team.items()):
        acks = [s for m in members if (s := _seconds(m["notified_at"] or declared, m["acknowledged_at"])) is not None]
        checked = [m["checked_in_at"] for m in members if m["checked_in_at"] is not None]
        out.append({"team": team, "called": len(members), "acknowledged": len(acks),
                    "escalated": sum(1 for m in members if m["escalated_at"] is not None), "checked_in": len(checked),
                    "waiting": sum(1 for m in members if m["acknowledged_at"] is None),
                    "ack_p50_s": percentile(acks, 0.5), "ack_max_s": max(acks) if acks else None,
                    "assembled_s": _seconds(declared, max(checked)) if len(checked) == len(members) else None,
                    "last_check_in_s": _seconds(declared, max(checked)) if checked else None})
    return out


def _assembly(calls: list[dict[str, Any]], declared: datetime) -> dict[str, Any]:
    acks = [s for c in calls if (s := _seconds(c["notified_at"] or declared, c["acknowledged_at"])) is not None]
    checked = [c["checked_in_at"] for c in calls if c["checked_in_at"] is not None]
    states = Counter(str(c["state"]) for c in calls)
    return {"called": len(calls), "by_state": {s: states.get(s, 0) for s in CALL_STATES},
            "acknowledged": sum(1 for c in calls if c["acknowledged_at"] is not None),
            "escalated": sum(1 for c in calls if c["escalated_at"] is not None),
            "checked_in": len(checked), "ack_p50_s": percentile(acks, 0.5), "ack_max_s": max(acks) if acks else None,
            "assembled_s": _seconds(declared, max(checked)) if calls and len(checked) == len(calls) else None,
            "teams": _teams(calls, declared)}


def _departments(cases: list[dict[str, Any]], names: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    by_dept: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        if case.get("department"):
            by_dept.setdefault(str(case["department"]), []).append(case)
    out = []
    for code, mine in by_dept.items():
        response = [s for c in mine if (s := _span_us(c["dispatched_us"], c["first_action_us"]
                                                       or c["disposed_us"])) is not None]
        fix = [s for c in mine if (s := _span_us(c["dispatched_us"], c["disposed_us"])) is not None]
        states = Counter(c["state"] for c in mine)
        name = names.get(code, (code, code))
        out.append({"code": code, "name": name[0], "name_en": name[1], "cases": len(mine),
                    **{s: states.get(s, 0) for s in INCIDENT_STATES},
                    "response_p50_s": percentile(response, 0.5), "response_p90_s": percentile(response, 0.9),
                    "fix_p50_s": percentile(fix, 0.5), "fix_p90_s": percentile(fix, 0.9)})
    return sorted(out, key=lambda d: (-d["cases"], d["code"]))


def _load(store: CaseStore, emergency_id: int, now: datetime) -> dict[str, Any]:
    found = rows.emergency(store, emergency_id)
    if found is None:
        raise NotFound(f"emergency {emergency_id} not found")
    until = min(found["ends_at"], found["ended_at"] or now, now)
    hazard_cases = rows.hazard_case_ids(store, emergency_id)
    incidents = [i for i in rows.incidents(store, found["area"], found["starts_at"], until,
                                           _months(found["starts_at"], max(until, found["starts_at"])))
                 if i["case_id"] not in hazard_cases]
    for incident in incidents:
        incident["state"] = case_state(incident)
    hazards = rows.hazards(store, emergency_id)
    for hazard in hazards:
        hazard["state"] = hazard_state(hazard)
    codes = sorted({str(c["department"]) for c in [*incidents, *hazards] if c.get("department")})
    return {"emergency": found, "incidents": incidents, "hazards": hazards, "calls": rows.calls(store, emergency_id),
            "messages": rows.messages(store, found["case_id"]), "departments": rows.department_names(store, codes),
            "topics": rows.topic_names(store, sorted({str(h["topic_code"]) for h in hazards}))}


def _moment(micros: int | None) -> datetime | None:
    return None if micros is None else datetime.fromtimestamp(micros / 1_000_000, UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _head(found: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"id": found["id"], "kind": found["kind"], "level": found["level"], "state": found["state"],
            "area": found["area"], "commander": found["commander"], "declared_by": found["declared_by"],
            "declared_at": _iso(found["declared_at"]), "starts_at": _iso(found["starts_at"]),
            "ends_at": _iso(found["ends_at"]), "ended_at": _iso(found["ended_at"]),
            "ack_within_minutes": found["ack_within_minutes"], "assembly_point": found["assembly_point"],
            "elapsed_s": _seconds(found["declared_at"], found["ended_at"] or now) or 0.0, "now": now.isoformat()}


def _shape(loaded: dict[str, Any], now: datetime) -> dict[str, Any]:
    found, incidents, hazards = loaded["emergency"], loaded["incidents"], loaded["hazards"]
    incident_states, hazard_states = Counter(i["state"] for i in incidents), Counter(h["state"] for h in hazards)
    assembly = _assembly(loaded["calls"], found["declared_at"])
    messages = {**loaded["messages"], "acknowledged": assembly["acknowledged"]}
    return {
        "emergency": _head(found, now),
        "counts": {"incidents": len(incidents), "incidents_by_state": {s: incident_states.get(s, 0)
                                                                       for s in INCIDENT_STATES},
                   "hazards": len(hazards), "hazards_by_state": {s: hazard_states.get(s, 0) for s in HAZARD_STATES
                                                                 if hazard_states.get(s, 0) or s != "recorded"}},
        "incidents": [{"case_no": i["case_no"], "lon": i["lon"], "lat": i["lat"], "state": i["state"],
                       "subtype": i["subtype"], "department": i["department"]} for i in incidents],
        "hazards": [{"id": h["id"], "topic": h["topic_code"], "kind": h["kind"], "lon": h["lon"], "lat": h["lat"],
                     "state": h["state"], "case_no": h["case_no"]} for h in hazards],
        "assembly": assembly, "messages": messages,
        "departments": _departments(incidents, loaded["departments"]),
    }


def dashboard(deps: Deps, emergency_id: int) -> dict[str, Any]:
    """The dashboard's document for one emergency (``NotFound`` for an unknown id)."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        loaded = _load(uow.store, emergency_id, now)
    return _shape(loaded, now)


def _by_topic(hazards: list[dict[str, Any]], names: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for hazard in hazards:
        code = str(hazard["topic_code"])
        name = names.get(code, (code, code))
        entry = out.setdefault(code, {"topic": code, "name": name[0], "name_en": name[1], "found": 0, "cases": 0,
                                      "watched": 0, "fixed": 0, "open": 0})
        entry["found"] += 1
        entry["cases" if hazard["kind"] == "case" else "watched"] += hazard["kind"] in ("case", "watched")
        fixed = hazard["state"] in ("fixed", "closed", "disposed")
        entry["fixed" if fixed else "open"] += 1
    return sorted(out.values(), key=lambda t: (-t["found"], t["topic"]))


def _timeline(found: dict[str, Any], calls: list[dict[str, Any]], incidents: list[dict[str, Any]],
              hazards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    marks: list[tuple[datetime | None, str]] = [(found["declared_at"], "declared"), (found["starts_at"], "starts")]
    for label, moments in (("first_acknowledged", [c["acknowledged_at"] for c in calls]),
                           ("first_checked_in", [c["checked_in_at"] for c in calls]),
                           ("first_incident", [_moment(min((i["reported_us"] for i in incidents), default=None))]),
                           ("first_hazard", [h["at"] for h in hazards])):
        present = [m for m in moments if m is not None]
        marks.append((min(present) if present else None, label))
    checked = [c["checked_in_at"] for c in calls if c["checked_in_at"] is not None]
    if calls and len(checked) == len(calls):
        marks.append((max(checked), "assembled"))
    marks.append((found["ended_at"], "ended"))
    return [{"at": m.isoformat(), "event": label} for m, label in sorted(
        ((m, label) for m, label in marks if m is not None), key=lambda pair: pair[0])]


def report(deps: Deps, emergency_id: int) -> dict[str, Any]:
    """The after-action report (事后报告): the dashboard's figures plus the timeline, hazards found and fixed by
    topic, and the open items (incidents not closed, hazards not fixed, people not checked in)."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        loaded = _load(uow.store, emergency_id, now)
    shaped = _shape(loaded, now)
    calls, incidents, hazards = loaded["calls"], loaded["incidents"], loaded["hazards"]
    return {
        "emergency": shaped["emergency"], "counts": shaped["counts"], "messages": shaped["messages"],
        "assembly": shaped["assembly"], "departments": shaped["departments"],
        "timeline": _timeline(loaded["emergency"], calls, incidents, hazards),
        "hazards_by_topic": _by_topic(hazards, loaded["topics"]),
        "open_items": {
            "incidents": [{"case_no": i["case_no"], "state": i["state"], "department": i["department"]}
                          for i in incidents if i["state"] != "closed"],
            "hazards": [{"id": h["id"], "topic": h["topic_code"], "state": h["state"], "case_no": h["case_no"]}
                        for h in hazards if h["state"] not in ("fixed", "closed", "recorded")],
            "not_checked_in": [{"username": c["username"], "team": c["team"], "state": c["state"]}
                               for c in calls if c["checked_in_at"] is None],
        },
    }


def live_groups(deps: Deps, emergency_id: int) -> frozenset[str]:
    """The task groups and accounts whose task lists the emergency's incidents and assembly calls move (the
    dashboard's live stream listens to them): every department, the area's collectors, the called people (as
    assignees and as their ``person:<username>`` task groups)."""
    with deps.uow(read_only=True) as uow:
        found = rows.emergency(uow.store, emergency_id)
        if found is None:
            raise NotFound(f"emergency {emergency_id} not found")
        departments = rows.department_codes(uow.store)
        called = [str(c["username"]) for c in rows.calls(uow.store, emergency_id)]
    people = [*called, *(f"person:{name}" for name in called)]  # their own tasks: the person task group
    districts = [f"collector:{d}" for d in found["area"].get("districts") or []]
    return frozenset([*departments, *districts, *people])

