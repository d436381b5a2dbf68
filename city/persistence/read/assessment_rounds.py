"""The assessment rounds (考评轮次) as the model, the handler, the pages, the API and the command line read them: a
scheme's round of a period, a round case's row, the task groups of a round's inspections, the round list with its
counts, one round with its counts by district and state and its overdue inspections."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from city.persistence.read.assessment_inspections import NOT_INSPECTED, RECTIFYING, REINSPECTION
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

ROUND_COLUMNS = ("id", "scheme", "period", "case_id", "checklist_id", "starts_at", "due_at", "state", "object_count",
                 "started_by", "started_at", "closed_at")
TIMES = ("starts_at", "due_at", "started_at", "closed_at")
ROUND_SQL = "SELECT " + ", ".join(f"r.{c}" for c in ROUND_COLUMNS) + " FROM assessment_rounds r"
OVERDUE_LIMIT = 200


def _round(row: Any) -> dict[str, Any]:
    found = dict(zip(ROUND_COLUMNS, row[:len(ROUND_COLUMNS)], strict=True))
    for name in TIMES:
        found[name] = as_utc(found[name])
    return found


def round_for_period(store: CaseStore, scheme: str, period: str) -> dict[str, Any] | None:
    """The scheme's round of ``period`` (None: not started)."""
    row = store._execute(ROUND_SQL + " WHERE r.scheme = ? AND r.period = ?", (scheme, period)).fetchone()
    return None if row is None else _round(row)


def active_object_count(store: CaseStore, scheme: str, kinds: Collection[str] | None) -> int:
    """How many of the scheme's active objects are of ``kinds`` (None: of any kind) — what a round would open."""
    if kinds is not None and not kinds:
        return 0
    where = "" if kinds is None else " AND kind IN (" + ", ".join("?" for _ in kinds) + ")"
    row = store._execute("SELECT COUNT(*) FROM assessed_objects WHERE scheme = ? AND active = ?" + where,
                         (scheme, True, *sorted(kinds or ()))).fetchone()
    return int(row[0])


def round_by_id(store: CaseStore, round_id: int) -> dict[str, Any] | None:
    """The round ``round_id`` (None: unknown)."""
    row = store._execute(ROUND_SQL + " WHERE r.id = ?", (round_id,)).fetchone()
    return None if row is None else _round(row)


def round_by_case(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """The round whose ``assessment_round`` case is ``case_id`` (None: no round, e.g. one not needed)."""
    row = store._execute(ROUND_SQL + " WHERE r.case_id = ?", (case_id,)).fetchone()
    return None if row is None else _round(row)


def round_groups(store: CaseStore, scheme: str, period: str, state: str | None = None) -> list[str]:
    """The distinct task groups of the round's inspections (``state``: only those of inspections in it), sorted;
    inspections whose case has not set its group yet are left out."""
    sql = ("SELECT DISTINCT i.task_group FROM assessment_inspections i JOIN assessment_rounds r ON r.id = i.round_id"
           " WHERE r.scheme = ? AND r.period = ? AND i.task_group IS NOT NULL")
    params: list[Any] = [scheme, period]
    if state is not None:
        sql += " AND i.state = ?"
        params.append(state)
    return sorted(str(r[0]) for r in store._execute(sql, params).fetchall())


def _overdue(now_param: str) -> str:
    """An inspection overdue at ``now_param``: not inspected past its due time, or rectifying (整改) with its
    re-inspection (复查) waiting past the re-inspection's own due time."""
    return (f"((i.state = '{NOT_INSPECTED}' AND i.due_at < {now_param}) OR (i.state = '{RECTIFYING}' AND EXISTS"
            f" (SELECT 1 FROM human_tasks t WHERE t.case_id = i.case_id AND t.bpmn_id = '{REINSPECTION}'"
            f" AND t.state = 'ready' AND t.due_at < {now_param})))")


def _counts_sql(now_param: str) -> str:
    """The per-round counts over its inspections: inspected, open, overdue, average, cases still to start."""
    return ("SELECT i.round_id, COUNT(*), SUM(CASE WHEN i.inspected_at IS NOT NULL THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN i.state = '{NOT_INSPECTED}' THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {_overdue(now_param)} THEN 1 ELSE 0 END),"
            " AVG(i.score), SUM(CASE WHEN i.case_id IS NULL THEN 1 ELSE 0 END) FROM assessment_inspections i")


def _with_counts(found: dict[str, Any], counts: Any) -> dict[str, Any]:
    _, objects, inspected, still_open, overdue, average, pending = (counts if counts is not None
                                                                    else (0, 0, 0, 0, 0, None, 0))
    found.update(objects=int(objects or 0), inspected=int(inspected or 0), open=int(still_open or 0),
                 overdue=int(overdue or 0), average_score=None if average is None else round(float(average), 1),
                 pending=int(pending or 0))
    return found


def round_list(store: CaseStore, now: datetime, scheme: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The rounds, newest period first (``scheme``: that scheme's only), each with ``objects``, ``inspected``,
    ``open``, ``overdue`` (at ``now``: not inspected past due, or rectifying with its re-inspection past its own
    due time), ``average_score`` (of the inspected) and ``pending`` (inspections whose case is not started yet)."""
    where, params = (" WHERE r.scheme = ?", [scheme]) if scheme else ("", [])
    rows = store._execute(ROUND_SQL + where + " ORDER BY r.starts_at DESC, r.scheme LIMIT ?",
                          [*params, limit]).fetchall()
    found = [_round(r) for r in rows]
    if not found:
        return []
    marks = ", ".join("?" for _ in found)
    counts = {int(c[0]): c for c in store._execute(
        _counts_sql("?") + f" WHERE i.round_id IN ({marks}) GROUP BY i.round_id",
        [*[store.dialect.stamp(now)] * 2, *[f["id"] for f in found]]).fetchall()}
    return [_with_counts(f, counts.get(int(f["id"]))) for f in found]


def _breakdown(store: CaseStore, round_id: int, column: str) -> list[dict[str, Any]]:
    """The round's inspections counted by ``column`` (``i.district_code``: as the round opened it, or ``i.state``)."""
    rows = store._execute(
        f"SELECT {column}, COUNT(*), SUM(CASE WHEN i.inspected_at IS NOT NULL THEN 1 ELSE 0 END), AVG(i.score)"
        " FROM assessment_inspections i WHERE i.round_id = ?"
        f" GROUP BY {column} ORDER BY {column}", (round_id,)).fetchall()
    return [{"code": r[0], "objects": int(r[1]), "inspected": int(r[2] or 0),
             "average_score": None if r[3] is None else round(float(r[3]), 1)} for r in rows]


def overdue_inspections(store: CaseStore, round_id: int, now: datetime) -> list[dict[str, Any]]:
    """The round's overdue inspections at ``now`` (not inspected past due, or a re-inspection past its own due
    time: ``due_at`` is then the re-inspection's), by due time then object code."""
    stamp = store.dialect.stamp(now)
    rows = store._execute(
        "SELECT i.id, i.case_id, i.task_group, COALESCE((SELECT MIN(t.due_at) FROM human_tasks t WHERE"
        f" t.case_id = i.case_id AND t.bpmn_id = '{REINSPECTION}' AND t.state = 'ready' AND i.state ="
        f" '{RECTIFYING}'), i.due_at) AS due, o.code, o.name, i.object_kind, i.district_code, i.street_code,"
        " i.state FROM assessment_inspections i JOIN assessed_objects o ON o.id = i.object_id"
        f" WHERE i.round_id = ? AND {_overdue('?')} ORDER BY due, o.code LIMIT ?",
        (round_id, stamp, stamp, OVERDUE_LIMIT)).fetchall()
    names = ("id", "case_id", "task_group", "due_at", "object_code", "object_name", "kind", "district", "street",
             "state")
    return [{**dict(zip(names, r, strict=True)), "due_at": as_utc(r[3])} for r in rows]


def one_round(store: CaseStore, round_id: int, now: datetime) -> dict[str, Any] | None:
    """One round (None: unknown) with the list's counts, ``by_district`` and ``by_state`` (each ``{code,
    objects, inspected, average_score}``) and ``overdue_inspections``."""
    found = round_by_id(store, round_id)
    if found is None:
        return None
    counts = store._execute(_counts_sql("?") + " WHERE i.round_id = ? GROUP BY i.round_id",
                            (*[store.dialect.stamp(now)] * 2, round_id)).fetchone()
    _with_counts(found, counts)
    found["by_district"] = _breakdown(store, round_id, "i.district_code")
    found["by_state"] = _breakdown(store, round_id, "i.state")
    found["overdue_inspections"] = overdue_inspections(store, round_id, now)
    return found


def round_with_pending(store: CaseStore, round_id: int | None = None) -> dict[str, Any] | None:
    """The running round (``round_id``, else the oldest) with inspections whose case is not started yet (None:
    none)."""
    where = " AND r.id = ?" if round_id is not None else ""
    row = store._execute(ROUND_SQL + " WHERE r.state = 'running'" + where + " AND EXISTS (SELECT 1 FROM"
                         " assessment_inspections i WHERE i.round_id = r.id AND i.case_id IS NULL) ORDER BY r.id"
                         " LIMIT 1", () if round_id is None else (round_id,)).fetchone()
    return None if row is None else _round(row)


def locked_round(store: CaseStore, round_id: int) -> dict[str, Any] | None:
    """The round's row, locked to the end of the transaction (PostgreSQL: FOR UPDATE; SQLite's write
    transaction holds the database)."""
    row = store._execute(ROUND_SQL + " WHERE r.id = ?" + store.dialect.for_update, (round_id,)).fetchone()
    return None if row is None else _round(row)


_PENDING_NAMES = ("inspection_id", "id", "code", "name", "kind", "address", "district_code", "street_code",
                  "grid_code", "lon", "lat", "company_code", "company_name", "department_code")


def pending_inspections(store: CaseStore, round_id: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` of the round's inspections with no case yet, by id: ``inspection_id`` and the object as
    the round opened it (kind, district, street, company kept on the inspection; the rest from the registry),
    shaped as an ``active_objects`` row for the payload."""
    rows = store._execute(
        "SELECT i.id, o.id, o.code, o.name, i.object_kind, o.address, i.district_code, i.street_code, o.grid_code,"
        " o.lon, o.lat, c.code, c.name, o.department_code FROM assessment_inspections i"
        " JOIN assessed_objects o ON o.id = i.object_id LEFT JOIN property_companies c ON c.id = i.company_id"
        " WHERE i.round_id = ? AND i.case_id IS NULL ORDER BY i.id LIMIT ?", (round_id, limit)).fetchall()
    return [dict(zip(_PENDING_NAMES, r, strict=True)) for r in rows]


def pending_count(store: CaseStore, round_id: int) -> int:
    """How many of the round's inspections have no case yet."""
    row = store._execute("SELECT COUNT(*) FROM assessment_inspections WHERE round_id = ? AND case_id IS NULL",
                         (round_id,)).fetchone()
    return int(row[0])


def round_checklist_items(store: CaseStore, round_id: int) -> Any:
    """The stored items of the checklist version the round opened with."""
    row = store._execute("SELECT c.items_json FROM assessment_checklists c JOIN assessment_rounds r"
                         " ON r.checklist_id = c.id WHERE r.id = ?", (round_id,)).fetchone()
    return json.loads(row[0])
