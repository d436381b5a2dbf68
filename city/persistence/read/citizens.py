"""Reads of the public's reports: a report by its token or by the case it follows, a case as the public sees it
(no staff names, no notes), its before/after photos, the citizen's ratings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

CITIZEN_ACTOR = "public:citizen"
# Task forms whose photos show the result (处置 the department's disposal, 核查 the on-site check): (task, key)
AFTER_TASKS = (("dispose_problem", "disposal"), ("check_on_site", "check"))
_REPORT_COLUMNS = "id, token, case_id, first_case_id, origin, phone, email, updates, locale, extra_json, created_at"


@dataclass(frozen=True)
class ReportRow:
    """A ``citizen_reports`` row."""

    id: int
    token: str
    case_id: int
    first_case_id: int
    origin: str
    phone: str | None
    email: str | None
    updates: str
    locale: str
    extra: dict[str, Any]
    created_at: datetime | None


def _report(row: Any) -> ReportRow | None:
    if row is None:
        return None
    extra = json.loads(row[9]) if row[9] else {}
    return ReportRow(int(row[0]), str(row[1]), int(row[2]), int(row[3]), str(row[4]), row[5], row[6], str(row[7]),
                     str(row[8]), extra if isinstance(extra, dict) else {}, as_utc(row[10]))


def report_by_token(store: CaseStore, token: str) -> ReportRow | None:
    """The report a tracking token names."""
    return _report(store._execute(f"SELECT {_REPORT_COLUMNS} FROM citizen_reports WHERE token = ?",
                                  (token,)).fetchone())


def report_of_case(store: CaseStore, case_id: int) -> ReportRow | None:
    """The report following ``case_id`` now (one indexed look-up: most cases have none)."""
    return _report(store._execute(f"SELECT {_REPORT_COLUMNS} FROM citizen_reports WHERE case_id = ?",
                                  (case_id,)).fetchone())


def report_by_id(store: CaseStore, report_id: int) -> ReportRow | None:
    """A report by its id."""
    return _report(store._execute(f"SELECT {_REPORT_COLUMNS} FROM citizen_reports WHERE id = ?",
                                  (report_id,)).fetchone())


def public_case(store: CaseStore, case_id: int) -> dict[str, Any] | None:
    """What the public may see of a case: number, subtype (names), description, place (district and street names),
    the times of its stages and its result; never who handled it."""
    row = store._execute(
        "SELECT s.case_no, s.subtype, s.description, s.lon, s.lat, st.name_zh, st.name_en, d.name, g.name,"
        " f.reported_at, f.filed_at, f.dispatched_at, f.disposed_at, f.checked_at, f.closed_at, f.result,"
        " f.updated_at FROM case_summaries s"
        " LEFT JOIN subtypes st ON st.code = s.subtype LEFT JOIN districts d ON d.code = s.district"
        " LEFT JOIN resp_grids g ON g.code = s.resp_grid"
        " LEFT JOIN case_facts f ON f.case_id = s.case_id AND f.source = 'live' WHERE s.case_id = ?",
        (case_id,)).fetchone()
    if row is None:
        return None
    keys = ("case_no", "subtype_code", "description", "lon", "lat", "subtype_name", "subtype_name_en", "district",
            "street", "reported_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at", "result",
            "updated_at")
    found = dict(zip(keys, row, strict=True))
    for key in ("reported_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at", "updated_at"):
        found[key] = as_utc(found[key])
    found["result"] = found["result"] or "open"
    return found


def case_result(store: CaseStore, case_id: int) -> str | None:
    """The live case's result in its facts (open, closed, voided); None when it has no facts row."""
    row = store._execute("SELECT result FROM case_facts WHERE case_id = ? AND source = 'live'", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def after_photos(store: CaseStore, case_id: int) -> list[str]:
    """The photos the department's disposal and the on-site check attached (their forms' ``evidence``), in order."""
    rows = store._execute("SELECT bpmn_id, data FROM case_events WHERE case_id = ? AND event_type = 'task_completed'"
                          " AND bpmn_id IN (?, ?) ORDER BY seq", (case_id, *(t for t, _ in AFTER_TASKS))).fetchall()
    keys = dict(AFTER_TASKS)
    found: list[str] = []
    for bpmn_id, data in rows:
        loaded = json.loads(data) if isinstance(data, str) else data or {}
        part = loaded.get(keys[str(bpmn_id)]) if isinstance(loaded, dict) else None
        evidence = part.get("evidence") if isinstance(part, dict) else None
        found += [d for d in evidence or [] if isinstance(d, str) and d not in found]
    return found


def attachment_of(store: CaseStore, case_ids: list[int], digest: str) -> dict[str, Any] | None:
    """The attachment ``digest`` of one of ``case_ids`` (its content type and name), or None."""
    if not case_ids:
        return None
    marks = ", ".join("?" * len(case_ids))
    row = store._execute(f"SELECT content_type, filename FROM attachments WHERE sha256 = ? AND case_id IN ({marks})",
                         (digest, *case_ids)).fetchone()
    return None if row is None else {"content_type": str(row[0]), "filename": str(row[1])}


_RATING_COLUMNS = ("id", "report_id", "case_id", "rating", "comment", "rated_at", "callback_case_id",
                   "callback_outcome", "reopened_case_id")


def ratings_of_report(store: CaseStore, report_id: int) -> list[dict[str, Any]]:
    """The report's ratings (one per case it followed), oldest first."""
    rows = store._execute(f"SELECT {', '.join(_RATING_COLUMNS)} FROM citizen_ratings WHERE report_id = ?"
                          " ORDER BY id", (report_id,)).fetchall()
    return [dict(zip(_RATING_COLUMNS, r, strict=True)) | {"rated_at": as_utc(r[5])} for r in rows]


def rating_of_callback(store: CaseStore, callback_case_id: int) -> dict[str, Any] | None:
    """The rating whose 回访 is ``callback_case_id``."""
    row = store._execute(f"SELECT {', '.join(_RATING_COLUMNS)} FROM citizen_ratings WHERE callback_case_id = ?",
                         (callback_case_id,)).fetchone()
    return None if row is None else dict(zip(_RATING_COLUMNS, row, strict=True)) | {"rated_at": as_utc(row[5])}


def case_no(store: CaseStore, case_id: int | None) -> str | None:
    """A case's number (None for None or no case)."""
    if case_id is None:
        return None
    row = store._execute("SELECT case_no FROM case_summaries WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def satisfaction_rows(store: CaseStore, since: datetime | None, until: datetime | None) -> list[tuple[Any, ...]]:
    """(rating, callback_outcome, count) of the ratings given in [since, until)."""
    where: list[str] = []
    params: list[Any] = []
    if since is not None:
        where, params = [*where, "rated_at >= ?"], [*params, store.dialect.stamp(since)]
    if until is not None:
        where, params = [*where, "rated_at < ?"], [*params, store.dialect.stamp(until)]
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = store._execute(f"SELECT rating, callback_outcome, COUNT(*) FROM citizen_ratings{clause}"
                          " GROUP BY rating, callback_outcome", tuple(params)).fetchall()
    return [tuple(r) for r in rows]
