"""The assessment rounds (考评轮次) as the model, the handler, the pages, the API and the command line read them: a
scheme's round of a period, a round case's row, the task groups of a round's inspections, the round list with its
counts, one round with its counts by district and state and its overdue inspections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

ROUND_COLUMNS = ("id", "scheme", "period", "case_id", "checklist_id", "starts_at", "due_at", "state", "object_count",
                 "started_by", "started_at", "closed_at")
_TIMES = ("starts_at", "due_at", "started_at", "closed_at")
ROUND_SQL = "SELECT " + ", ".join(f"r.{c}" for c in ROUND_COLUMNS) + " FROM assessment_rounds r"
NOT_INSPECTED = "open"  # an inspection's state until its first visit is finished
OVERDUE_LIMIT = 200


def _round(row: Any) -> dict[str, Any]:
    found = dict(zip(ROUND_COLUMNS, row[:len(ROUND_COLUMNS)], strict=True))
    for name in _TIMES:
        found[name] = as_utc(found[name])
    return found


def round_for_period(store: CaseStore, scheme: str, period: str) -> dict[str, Any] | None:
    """The scheme's round of ``period`` (None: not started)."""
    row = store._execute(ROUND_SQL + " WHERE r.scheme = ? AND r.period = ?", (scheme, period)).fetchone()
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


def _counts_sql(now_param: str) -> str:
    """The per-round counts over its inspections: inspected, open, overdue (not inspected past due), average."""
    return ("SELECT i.round_id, COUNT(*), SUM(CASE WHEN i.inspected_at IS NOT NULL THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN i.state = '{NOT_INSPECTED}' THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN i.state = '{NOT_INSPECTED}' AND i.due_at < {now_param} THEN 1 ELSE 0 END),"
            " AVG(i.score) FROM assessment_inspections i")


def _with_counts(found: dict[str, Any], counts: Any) -> dict[str, Any]:
    _, objects, inspected, still_open, overdue, average = counts if counts is not None else (0, 0, 0, 0, 0, None)
    found.update(objects=int(objects or 0), inspected=int(inspected or 0), open=int(still_open or 0),
                 overdue=int(overdue or 0), average_score=None if average is None else round(float(average), 1))
    return found


def round_list(store: CaseStore, now: datetime, scheme: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The rounds, newest period first (``scheme``: that scheme's only), each with ``objects``, ``inspected``,
    ``open``, ``overdue`` (not inspected and past due at ``now``) and ``average_score`` (of the inspected)."""
    where, params = (" WHERE r.scheme = ?", [scheme]) if scheme else ("", [])
    rows = store._execute(ROUND_SQL + where + " ORDER BY r.starts_at DESC, r.scheme LIMIT ?",
                          [*params, limit]).fetchall()
    found = [_round(r) for r in rows]
    if not found:
        return []
    marks = ", ".join("?" for _ in found)
    counts = {int(c[0]): c for c in store._execute(
        _counts_sql("?") + f" WHERE i.round_id IN ({marks}) GROUP BY i.round_id",
        [store.dialect.stamp(now), *[f["id"] for f in found]]).fetchall()}
    return [_with_counts(f, counts.get(int(f["id"]))) for f in found]


def _breakdown(store: CaseStore, round_id: int, column: str) -> list[dict[str, Any]]:
    """The round's inspections counted by ``column`` (``o.district_code`` or ``i.state``)."""
    rows = store._execute(
        f"SELECT {column}, COUNT(*), SUM(CASE WHEN i.inspected_at IS NOT NULL THEN 1 ELSE 0 END), AVG(i.score)"
        " FROM assessment_inspections i JOIN assessed_objects o ON o.id = i.object_id WHERE i.round_id = ?"
        f" GROUP BY {column} ORDER BY {column}", (round_id,)).fetchall()
    return [{"code": r[0], "objects": int(r[1]), "inspected": int(r[2] or 0),
             "average_score": None if r[3] is None else round(float(r[3]), 1)} for r in rows]


def overdue_inspections(store: CaseStore, round_id: int, now: datetime) -> list[dict[str, Any]]:
    """The round's inspections not inspected and past due at ``now``, by due time then object code."""
    rows = store._execute(
        "SELECT i.id, i.case_id, i.task_group, i.due_at, o.code, o.name, o.kind, o.district_code, o.street_code"
        " FROM assessment_inspections i JOIN assessed_objects o ON o.id = i.object_id"
        f" WHERE i.round_id = ? AND i.state = '{NOT_INSPECTED}' AND i.due_at < ? ORDER BY i.due_at, o.code LIMIT ?",
        (round_id, store.dialect.stamp(now), OVERDUE_LIMIT)).fetchall()
    names = ("id", "case_id", "task_group", "due_at", "object_code", "object_name", "kind", "district", "street")
    return [{**dict(zip(names, r, strict=True)), "due_at": as_utc(r[3])} for r in rows]


def one_round(store: CaseStore, round_id: int, now: datetime) -> dict[str, Any] | None:
    """One round (None: unknown) with the list's counts, ``by_district`` and ``by_state`` (each ``{code,
    objects, inspected, average_score}``) and ``overdue_inspections``."""
    row = store._execute(ROUND_SQL + " WHERE r.id = ?", (round_id,)).fetchone()
    if row is None:
        return None
    counts = store._execute(_counts_sql("?") + " WHERE i.round_id = ? GROUP BY i.round_id",
                            (store.dialect.stamp(now), round_id)).fetchone()
    found = _with_counts(_round(row), counts)
    found["by_district"] = _breakdown(store, round_id, "o.district_code")
    found["by_state"] = _breakdown(store, round_id, "i.state")
    found["overdue_inspections"] = overdue_inspections(store, round_id, now)
    return found
