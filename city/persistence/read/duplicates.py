"""Duplicate candidates at 立案 and the links between cases: reads over case_facts, human_tasks, attachments and
case_links.

The candidates' query is a bounding box: equality on subtype and result and a latitude range use
``ix_case_facts_subtype_result_lat``; the longitude range (two at the antimeridian) and the window of report times
filter the few rows left, which are ordered nearest first by an approximate distance before the scan's LIMIT. The
caller (``city/duplicates/candidates.py``) computes the exact distance and keeps those within the radius.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore

CANDIDATE_COLUMNS = ("case_id", "case_no", "subtype", "lon", "lat", "reported_at", "description")
# Nearest first before the LIMIT, by an approximate squared distance in degrees (longitude scaled by cos(latitude),
# its difference taken the short way round the antimeridian): the exact distance is computed on the rows returned.
CANDIDATES_SQL = (
    "SELECT case_id, case_no, subtype, lon, lat, reported_at, description FROM ("
    "SELECT f.case_id, f.case_no, f.subtype, f.lon, f.lat, f.reported_at, s.description, f.lat - ? AS dlat,"
    " CASE WHEN ABS(f.lon - ?) > 180 THEN 360 - ABS(f.lon - ?) ELSE ABS(f.lon - ?) END AS dlon"
    " FROM case_facts f LEFT JOIN case_summaries s ON s.case_id = f.case_id"
    " WHERE f.subtype = ? AND f.result = 'open' AND f.lat BETWEEN ? AND ?"
    " AND (f.lon BETWEEN ? AND ? OR f.lon BETWEEN ? AND ?)"
    " AND f.reported_at BETWEEN ? AND ? AND f.source = 'live' AND f.case_id IS NOT NULL AND f.case_id <> ?"
    ") near ORDER BY dlat * dlat + dlon * dlon * ?, reported_at DESC, case_id LIMIT ?")
SCAN_LIMIT = 200  # rows read from the box, nearest first; the radius and the caller's visibility then filter them

Box = tuple[float, float, tuple[tuple[float, float], ...]]  # min lat, max lat, longitude ranges (two at ±180)


def _params(subtype: str, lon: float, lat: float, box: Box, reported: tuple[Any, Any], exclude: int,
            lon_scale: float, limit: int) -> tuple[object, ...]:
    ranges = list(box[2]) + [(1.0, 0.0)] * (2 - len(box[2]))  # an empty range (1 to 0) when there is one only
    return (lat, lon, lon, lon, subtype, box[0], box[1], *ranges[0], *ranges[1], *reported, exclude,
            lon_scale, limit)


def candidates_plan(store: CaseStore) -> str:
    """The database's plan for the candidates' query (EXPLAIN), as text; PostgreSQL is told to avoid a sequential
    scan so the plan shows whether the index can serve it, however few rows the table holds."""
    params = _params("0601", 117.5, 24.5, (24.0, 25.0, ((117.0, 118.0),)),
                     ("2026-01-01 00:00:00", "2026-12-31 00:00:00"), 0, 0.8, SCAN_LIMIT)
    if store.dialect.sqlite:
        return "\n".join(str(r[-1]) for r in store._execute("EXPLAIN QUERY PLAN " + CANDIDATES_SQL, params))
    store._execute("SET LOCAL enable_seqscan = off")
    return "\n".join(str(r[0]) for r in store._execute("EXPLAIN " + CANDIDATES_SQL, params))


def open_cases_in_box(store: CaseStore, subtype: str, centre: tuple[float, float], box: Box,
                      reported: tuple[datetime, datetime], exclude_case_id: int,
                      limit: int = SCAN_LIMIT) -> list[dict[str, Any]]:
    """Open live cases of ``subtype`` inside ``box`` reported within ``reported`` (from, to), other than
    ``exclude_case_id``: at most ``limit`` rows, nearest to ``centre`` (lon, lat) first (approximately)."""
    lon, lat = centre
    scale = max(math.cos(math.radians(lat)), 0.01) ** 2
    stamps = (store.dialect.stamp(reported[0]), store.dialect.stamp(reported[1]))
    rows = store._execute(CANDIDATES_SQL, _params(subtype, lon, lat, box, stamps, exclude_case_id, scale,
                                                  limit)).fetchall()
    found = [dict(zip(CANDIDATE_COLUMNS, row, strict=True)) for row in rows]
    for row in found:
        row["reported_at"] = as_utc_not_null(row["reported_at"])
    return found


def named_original(store: CaseStore, case_id: int) -> str | None:
    """The case number the report named as the case it repeats (``report.duplicate_of`` of its start data)."""
    row = store._execute("SELECT data FROM case_events WHERE case_id = ? AND event_type = 'case_started'",
                         (case_id,)).fetchone()
    data = json.loads(row[0]) if row is not None else {}
    report = (data.get("data") or {}).get("report") if isinstance(data, dict) else None
    named = report.get("duplicate_of") if isinstance(report, dict) else None
    return named if isinstance(named, str) else None


def descriptions(store: CaseStore, case_ids: list[int]) -> dict[int, str | None]:
    """Each case's problem description (from its summary)."""
    if not case_ids:
        return {}
    marks = ", ".join("?" * len(case_ids))
    rows = store._execute(f"SELECT case_id, description FROM case_summaries WHERE case_id IN ({marks})",
                          case_ids).fetchall()
    return {int(r[0]): r[1] for r in rows}


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
