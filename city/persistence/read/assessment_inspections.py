"""Assessment inspections (考评检查) as the model's helper, the command, the sheet and the lists read them: one
inspection with its round, object and checklist items, what each visit recorded, the rectification cases, the list
of a round's (or an inspector's groups') inspections.

The object's kind, district, street and company are the inspection's own (as its round opened it): the items are
the round's checklist version filtered by that kind, whatever a later registry load makes of the object."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

INSPECTION_COLUMNS = ("id", "round_id", "object_id", "case_id", "task_group", "due_at", "state", "score", "deducted",
                      "failed_items", "inspected_by", "inspected_at", "visits", "closed_at")
_TIMES = ("due_at", "inspected_at", "closed_at")
_JOINED = ("scheme", "period", "round_due_at", "round_state", "items_json", "object_code", "object_name",
           "object_kind", "address", "district_code", "street_code", "grid_code", "lon", "lat", "department_code",
           "company_code", "company_name")
INSPECTION_SQL = (
    "SELECT " + ", ".join(f"i.{c}" for c in INSPECTION_COLUMNS) + ", r.scheme, r.period, r.due_at, r.state,"
    " k.items_json, o.code, o.name, i.object_kind, o.address, i.district_code, i.street_code, o.grid_code, o.lon,"
    " o.lat, o.department_code, c.code, c.name"
    " FROM assessment_inspections i JOIN assessment_rounds r ON r.id = i.round_id"
    " JOIN assessment_checklists k ON k.id = r.checklist_id JOIN assessed_objects o ON o.id = i.object_id"
    " LEFT JOIN property_companies c ON c.id = i.company_id")
RESULT_COLUMNS = ("visit", "item_code", "result", "deduction", "deduction_code", "note", "photos_json", "case_id",
                  "recorded_by", "recorded_at")
Item = TypeVar("Item", bound=Mapping[str, Any])
LIST_LIMIT = 500  # the most one page of the list holds
# an inspection's states: open until its first visit is finished, rectifying (整改) while a re-inspection (复查) is
# due, then closed or escalated (督办: the third failed re-inspection)
NOT_INSPECTED, RECTIFYING, CLOSED, ESCALATED = "open", "rectifying", "closed", "escalated"
STATES = (NOT_INSPECTED, RECTIFYING, CLOSED, ESCALATED)
FINISHED = (CLOSED, ESCALATED)
REINSPECTION = "reinspect_object"  # the re-inspection's task (复查)
VISIT_TASKS = ("inspect_object", REINSPECTION)  # the visits' tasks (考评检查, 复查)


def applicable(items: Sequence[Item], kind: str) -> list[Item]:
    """The checklist items that apply to an object of ``kind`` (an item without ``kinds`` applies to every kind of
    its scheme)."""
    return [item for item in items if not item.get("kinds") or kind in item["kinds"]]


def _inspection(row: Any) -> dict[str, Any]:
    found = dict(zip(INSPECTION_COLUMNS + _JOINED, row, strict=True))
    for name in (*_TIMES, "round_due_at"):
        found[name] = as_utc(found[name])
    found["items"] = applicable(json.loads(found.pop("items_json")), str(found["object_kind"]))
    return found


def inspection(store: CaseStore, inspection_id: int) -> dict[str, Any] | None:
    """One inspection (None: unknown): its row, its round's scheme, period, due time and state, its object and the
    checklist items applicable to the kind the round opened it with (``items``, from the round's checklist version)."""
    row = store._execute(INSPECTION_SQL + " WHERE i.id = ?", (inspection_id,)).fetchone()
    return None if row is None else _inspection(row)


def inspection_by_case(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """The inspection whose case is ``case_id`` (None: none)."""
    row = store._execute(INSPECTION_SQL + " WHERE i.case_id = ?", (case_id,)).fetchone()
    return None if row is None else _inspection(row)


def _result(row: Any) -> dict[str, Any]:
    found = dict(zip(RESULT_COLUMNS, row, strict=True))
    found["photos"] = json.loads(found.pop("photos_json"))
    found["recorded_at"] = as_utc(found["recorded_at"])
    return found


def visit_results(store: CaseStore, inspection_id: int, visit: int) -> dict[str, dict[str, Any]]:
    """What visit ``visit`` recorded, by item code: ``{visit, item_code, result, deduction, deduction_code, note,
    photos, case_id, recorded_by, recorded_at}``."""
    rows = store._execute("SELECT " + ", ".join(RESULT_COLUMNS) + " FROM assessment_results"
                          " WHERE inspection_id = ? AND visit = ?", (inspection_id, visit)).fetchall()
    return {str(r[1]): _result(r) for r in rows}


def all_results(store: CaseStore, inspection_id: int) -> list[dict[str, Any]]:
    """Every visit's results, by visit and item, each with its rectification case's number (``case_no``)."""
    rows = store._execute(
        "SELECT " + ", ".join(f"a.{c}" for c in RESULT_COLUMNS) + ", s.case_no FROM assessment_results a"
        " LEFT JOIN case_summaries s ON s.case_id = a.case_id WHERE a.inspection_id = ?"
        " ORDER BY a.visit, a.item_code", (inspection_id,)).fetchall()
    return [{**_result(r[:len(RESULT_COLUMNS)]), "case_no": r[len(RESULT_COLUMNS)]} for r in rows]


def failed_codes(store: CaseStore, inspection_id: int, visit: int) -> list[str]:
    """The item codes visit ``visit`` failed."""
    rows = store._execute("SELECT item_code FROM assessment_results WHERE inspection_id = ? AND visit = ?"
                          " AND result = 'fail' ORDER BY item_code", (inspection_id, visit)).fetchall()
    return [str(r[0]) for r in rows]


def _list_filter(round_id: int | None, state: str | None,
                 groups: Sequence[str] | None) -> tuple[str, list[Any]]:
    """The list's WHERE clause (empty: none) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for clause, value in (("i.round_id = ?", round_id), ("i.state = ?", state)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if groups is not None:
        clauses.append("i.task_group IN (" + ", ".join("?" * len(groups)) + ")")
        params.extend(groups)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def inspection_list(store: CaseStore, *, round_id: int | None = None, state: str | None = None,
                    groups: Sequence[str] | None = None, page: int = 1,
                    per_page: int = LIST_LIMIT) -> dict[str, Any]:
    """A page of the inspections matching the filters (``groups``: only those whose task group is one of them), by
    round and object code: ``{inspections, total, page, per_page}``, each the row with its scheme, period, object and
    company (no checklist items)."""
    if groups is not None and not groups:
        return {"inspections": [], "total": 0, "page": page, "per_page": per_page}
    where, params = _list_filter(round_id, state, groups)
    total = int(store._execute("SELECT COUNT(*) FROM assessment_inspections i" + where, params).fetchone()[0])
    rows = store._execute(INSPECTION_SQL + where + " ORDER BY r.starts_at DESC, i.round_id DESC, o.code, i.id"
                          " LIMIT ? OFFSET ?", [*params, per_page, (max(1, page) - 1) * per_page]).fetchall()
    found = [_inspection(r) for r in rows]
    for one in found:
        del one["items"]
    return {"inspections": found, "total": total, "page": page, "per_page": per_page}


def open_visit_task(store: CaseStore, case_id: int | None) -> dict[str, Any] | None:
    """The inspection case's ready visit task ``{id, bpmn_id}`` (考评检查 or 复查), None when none is ready."""
    if case_id is None:
        return None
    row = store._execute("SELECT id, bpmn_id FROM human_tasks WHERE case_id = ? AND state = 'ready'"
                         " AND bpmn_id IN (?, ?) ORDER BY created_at DESC LIMIT 1", (case_id, *VISIT_TASKS)).fetchone()
    return None if row is None else {"id": str(row[0]), "bpmn_id": str(row[1])}

