"""Decoration works as the commands, the step hooks and the pages read them (室内装修工程): one works by code or
case, the works near a point, the list with its filters, the permit a removal names, a works' linked cases."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from city.persistence.read.duplicates import Box
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

COLUMNS = ("id", "code", "case_id", "address", "compound_name", "district_code", "street_code", "grid_code", "lon",
           "lat", "owner_name", "owner_phone", "contractor", "starts_on", "ends_on", "expected_waste_m3",
           "removal_permit_id", "removal_company_id", "removal_registered_at", "state", "registered_by",
           "registered_at", "updated_at")
_SELECT = "SELECT " + ", ".join(f"w.{c}" for c in COLUMNS) + " FROM decoration_works w"
STATES = ("registered", "in_progress", "finished", "cancelled")


def _day(value: Any) -> date:
    """A stored DATE (SQLite gives text, PostgreSQL a date)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _works(row: Any) -> dict[str, Any]:
    found = dict(zip(COLUMNS, row, strict=True))
    found["starts_on"], found["ends_on"] = _day(found["starts_on"]), _day(found["ends_on"])
    for key in ("removal_registered_at", "registered_at", "updated_at"):
        found[key] = as_utc(found[key])
    return found


def last_code(store: CaseStore, prefix: str) -> str | None:
    """The greatest works code starting with ``prefix`` (a day's codes: ZX + date + sequence), or None."""
    row = store._execute("SELECT MAX(code) FROM decoration_works WHERE code LIKE ?", (prefix + "%",)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def works_by_code(store: CaseStore, code: str) -> dict[str, Any] | None:
    """One works by its code (登记号), or None."""
    row = store._execute(_SELECT + " WHERE w.code = ?", (code,)).fetchone()
    return None if row is None else _works(row)


def works_by_case(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """The works whose case is ``case_id``, or None."""
    row = store._execute(_SELECT + " WHERE w.case_id = ?", (case_id,)).fetchone()
    return None if row is None else _works(row)


def works_without_removal_near(store: CaseStore, box: Box, today: date) -> list[dict[str, Any]]:
    """The works in progress on the city's ``today`` (its period not over, though its finish is not confirmed yet)
    with no registered removal whose point lies in ``box`` (min lat, max lat, one or two longitude ranges; the
    caller measures the distance)."""
    ranges = list(box[2]) + [(1.0, 0.0)] * (2 - len(box[2]))  # an empty range (1 to 0) when there is one only
    rows = store._execute(
        _SELECT + " WHERE w.state = 'in_progress' AND w.removal_registered_at IS NULL AND w.ends_on >= ?"
        " AND w.lat BETWEEN ? AND ? AND (w.lon BETWEEN ? AND ? OR w.lon BETWEEN ? AND ?) ORDER BY w.id",
        (today, box[0], box[1], *ranges[0], *ranges[1])).fetchall()
    return [_works(r) for r in rows]


def works_list(store: CaseStore, state: str | None, district: str | None, page: int,
               per_page: int) -> tuple[int, list[dict[str, Any]]]:
    """How many works match the filters (state, district) and the ``page``-th ``per_page`` of them, newest first,
    with their removal's permit and company codes."""
    where, params = [], []
    if state is not None:
        where.append("w.state = ?")
        params.append(state)
    if district is not None:
        where.append("w.district_code = ?")
        params.append(district)
    clause = " WHERE " + " AND ".join(where) if where else ""
    total = int(store._execute("SELECT COUNT(*) FROM decoration_works w" + clause, params).fetchone()[0])
    rows = store._execute(
        _SELECT.replace(" FROM", ", p.code, t.code FROM") + " LEFT JOIN transport_permits p ON p.id ="
        " w.removal_permit_id LEFT JOIN transport_companies t ON t.id = w.removal_company_id"
        + clause + " ORDER BY w.id DESC LIMIT ? OFFSET ?", (*params, per_page, (page - 1) * per_page)).fetchall()
    return total, [_works(r[:-2]) | {"permit_code": r[-2], "company_code": r[-1]} for r in rows]


def permit_for_removal(store: CaseStore, code: str) -> dict[str, Any] | None:
    """A transport permit (核准) by code with its company: ``{id, code, state, valid_from, valid_to, company_id,
    company_code, company_name, company_active}``, or None."""
    row = store._execute(
        "SELECT p.id, p.code, p.state, p.valid_from, p.valid_to, c.id, c.code, c.name, c.active"
        " FROM transport_permits p JOIN transport_companies c ON c.id = p.company_id WHERE p.code = ?",
        (code,)).fetchone()
    if row is None:
        return None
    keys = ("id", "code", "state", "valid_from", "valid_to", "company_id", "company_code", "company_name",
            "company_active")
    found = dict(zip(keys, row, strict=True))
    found["valid_from"], found["valid_to"] = as_utc(found["valid_from"]), as_utc(found["valid_to"])
    found["company_active"] = bool(found["company_active"])
    return found


def removal_of(store: CaseStore, works: dict[str, Any]) -> dict[str, Any] | None:
    """The works' registered removal: ``{permit_code, company_code, company_name, registered_at}``, or None."""
    if works["removal_permit_id"] is None:
        return None
    row = store._execute(
        "SELECT p.code, c.code, c.name FROM transport_permits p JOIN transport_companies c ON c.id = ?"
        " WHERE p.id = ?", (works["removal_company_id"], works["removal_permit_id"])).fetchone()
    return {"permit_code": row[0], "company_code": row[1], "company_name": row[2],
            "registered_at": works["removal_registered_at"]}


def linked_cases(store: CaseStore, works_id: int) -> list[dict[str, Any]]:
    """The waste cases linked to the works: ``{case_id, case_no, subtype, status, reason, linked_at}``, oldest
    first."""
    rows = store._execute(
        "SELECT l.case_id, s.case_no, s.subtype, c.status, l.reason, l.linked_at FROM decoration_case_links l"
        " JOIN cases c ON c.id = l.case_id LEFT JOIN case_summaries s ON s.case_id = l.case_id"
        " WHERE l.works_id = ? ORDER BY l.linked_at, l.case_id", (works_id,)).fetchall()
    keys = ("case_id", "case_no", "subtype", "status", "reason", "linked_at")
    return [dict(zip(keys, r, strict=True)) | {"linked_at": as_utc(r[5])} for r in rows]


def inspections(store: CaseStore, case_id: int) -> list[dict[str, Any]]:
    """The works case's inspections as its log recorded them (``inspect_works`` completed): ``{result, note,
    photos, by, at}``, oldest first."""
    rows = store._execute(
        "SELECT data, actor, occurred_at FROM case_events WHERE case_id = ? AND event_type = 'task_completed'"
        " AND bpmn_id = 'inspect_works' ORDER BY seq", (case_id,)).fetchall()
    found = []
    for data, actor, occurred_at in rows:
        inspection = (json.loads(data) if isinstance(data, str) else data or {}).get("inspection") or {}
        found.append({"result": inspection.get("result"), "note": inspection.get("note"),
                      "photos": inspection.get("photos") or [], "by": actor, "at": as_utc(occurred_at)})
    return found


def case_values(store: CaseStore, case_id: int, *keys: str) -> dict[str, Any]:
    """The newest value other than None the works case's log recorded for each data key (its office, say), or
    None: a case that ended (cancelled, finished) drops its task-only data, which must not hide what it was. One
    pass over the log for all the keys."""
    rows = store._execute("SELECT data FROM case_events WHERE case_id = ? AND event_type = 'data_changed'"
                          " ORDER BY seq DESC", (case_id,)).fetchall()
    found: dict[str, Any] = dict.fromkeys(keys)
    missing = set(keys)
    for (data,) in rows:
        changes = (json.loads(data) if isinstance(data, str) else data or {}).get("changes") or {}
        for key in [k for k in missing if k in changes and changes[k][1] is not None]:
            found[key] = changes[key][1]
            missing.discard(key)
        if not missing:
            break
    return found


def case_value(store: CaseStore, case_id: int, key: str) -> Any:
    """The newest value other than None the works case's log recorded for its data ``key`` (see ``case_values``)."""
    return case_values(store, case_id, key)[key]
