"""Duplicate candidates at 立案 and the links between cases: reads over case_facts, human_tasks, attachments and
case_links.

The candidates' query is a bounding box: equality on subtype and result and a latitude range use
``ix_case_facts_subtype_result_lat``; the longitude range and the window of report times filter the few rows left.
The caller (``city/duplicates/candidates.py``) computes the exact distance and keeps those within the radius.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore

CANDIDATE_COLUMNS = ("case_id", "case_no", "subtype", "lon", "lat", "reported_at", "description")
CANDIDATES_SQL = (
    "SELECT f.case_id, f.case_no, f.subtype, f.lon, f.lat, f.reported_at, s.description"
    " FROM case_facts f LEFT JOIN case_summaries s ON s.case_id = f.case_id"
    " WHERE f.subtype = ? AND f.result = 'open' AND f.lat BETWEEN ? AND ? AND f.lon BETWEEN ? AND ?"
    " AND f.reported_at BETWEEN ? AND ? AND f.source = 'live' AND f.case_id IS NOT NULL AND f.case_id <> ?"
    " ORDER BY f.reported_at DESC LIMIT ?")


def candidates_plan(store: CaseStore) -> str:
    """The database's plan for the candidates' query (EXPLAIN), as text; PostgreSQL is told to avoid a sequential
    scan so the plan shows whether the index can serve it, however few rows the table holds."""
    params = ("0601", 24.0, 25.0, 117.0, 118.0, "2026-01-01 00:00:00", "2026-12-31 00:00:00", 0, 200)
    if store.dialect.sqlite:
        return "\n".join(str(r[-1]) for r in store._execute("EXPLAIN QUERY PLAN " + CANDIDATES_SQL, params))
    store._execute("SET LOCAL enable_seqscan = off")
    return "\n".join(str(r[0]) for r in store._execute("EXPLAIN " + CANDIDATES_SQL, params))


def open_cases_in_box(store: CaseStore, subtype: str, box: tuple[float, float, float, float],
                      reported: tuple[datetime, datetime], exclude_case_id: int,
                      limit: int = 200) -> list[dict[str, Any]]:
    """Open live cases of ``subtype`` inside ``box`` (min lon, min lat, max lon, max lat) reported within
    ``reported`` (from, to), other than ``exclude_case_id``; at most ``limit`` rows, newest report first."""
    min_lon, min_lat, max_lon, max_lat = box
    rows = store._execute(
        CANDIDATES_SQL, (subtype, min_lat, max_lat, min_lon, max_lon, store.dialect.stamp(reported[0]),
         store.dialect.stamp(reported[1]), exclude_case_id, limit)).fetchall()
    found = [dict(zip(CANDIDATE_COLUMNS, row, strict=True)) for row in rows]
    for row in found:
        row["reported_at"] = as_utc_not_null(row["reported_at"])
    return found


def ready_steps(store: CaseStore, case_ids: list[int]) -> dict[int, list[str]]:
    """The names of each case's ready human tasks (its current steps)."""
    if not case_ids:
        return {}
    marks = ", ".join("?" * len(case_ids))
    rows = store._execute(f"SELECT case_id, name, bpmn_id FROM human_tasks WHERE state = 'ready'"
                          f" AND case_id IN ({marks}) ORDER BY case_id, name", case_ids).fetchall()
    steps: dict[int, list[str]] = {}
    for case_id, name, bpmn_id in rows:
        steps.setdefault(int(case_id), []).append(name or bpmn_id)
    return steps


def first_images(store: CaseStore, case_ids: list[int]) -> dict[int, str]:
    """Each case's first uploaded image (its sha256), for a thumbnail."""
    if not case_ids:
        return {}
    marks = ", ".join("?" * len(case_ids))
    rows = store._execute(f"SELECT case_id, sha256 FROM attachments WHERE content_type LIKE ?"
                          f" AND case_id IN ({marks}) ORDER BY case_id, uploaded_at, sha256",
                          ["image/%", *case_ids]).fetchall()
    images: dict[int, str] = {}
    for case_id, sha256 in rows:
        images.setdefault(int(case_id), str(sha256))
    return images


def fact_state(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """A live case's number, subtype, place, report time and result (open, closed, voided), or None."""
    row = store._execute("SELECT case_id, case_no, subtype, lon, lat, reported_at, result, void_reason"
                         " FROM case_facts WHERE case_id = ?", (case_id,)).fetchone()
    if row is None:
        return None
    keys = ("case_id", "case_no", "subtype", "lon", "lat", "reported_at", "result", "void_reason")
    state = dict(zip(keys, row, strict=True))
    state["reported_at"] = as_utc(state["reported_at"])
    return state


def links_of(store: CaseStore, case_id: int) -> list[dict[str, Any]]:
    """The case's links: kind, the other case's id and number, when and by whom, oldest first."""
    rows = store._execute(
        "SELECT l.kind, l.linked_case_id, s.case_no, l.created_at, l.created_by, l.note FROM case_links l"
        " LEFT JOIN case_summaries s ON s.case_id = l.linked_case_id WHERE l.case_id = ? ORDER BY l.id",
        (case_id,)).fetchall()
    return [{"kind": r[0], "case_id": int(r[1]), "case_no": r[2], "created_at": as_utc_not_null(r[3]),
             "created_by": r[4], "note": r[5]} for r in rows]


def original_of(store: CaseStore, case_id: int) -> int | None:
    """The case ``case_id`` was voided as a duplicate of, or None."""
    row = store._execute("SELECT linked_case_id FROM case_links WHERE case_id = ? AND kind = 'duplicate_of'",
                         (case_id,)).fetchone()
    return None if row is None else int(row[0])


def case_no_of(store: CaseStore, case_id: int) -> str | None:
    """A live case's number."""
    row = store._execute("SELECT case_no FROM case_summaries WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def ready_tasks(store: CaseStore, case_id: int) -> list[dict[str, Any]]:
    """The case's ready human tasks: id, BPMN id and process version."""
    rows = store._execute("SELECT id, bpmn_id, process_version_id FROM human_tasks WHERE case_id = ?"
                          " AND state = 'ready' ORDER BY created_at, id", (case_id,)).fetchall()
    return [{"id": r[0], "bpmn_id": r[1], "process_version_id": int(r[2])} for r in rows]


def reports_count(store: CaseStore, case_id: int) -> int:
    """How many reports a case stands for: itself and the duplicates voided into it."""
    row = store._execute("SELECT COUNT(*) FROM case_links WHERE case_id = ? AND kind = 'has_duplicate'",
                         (case_id,)).fetchone()
    return 1 + int(row[0])
