"""Reads of Open311 GeoReport v2: the catalogue's subtypes as services, and the public's requests with their facts
(``case_facts``), department and service names — one query each.

A public request is a case a ``citizen_reports`` row follows or followed: its first case, the case it follows now,
and every case a 回访 reopened for it (``citizen_ratings.reopened_case_id``). A report moved to a reopened case
keeps its first case's number answering (it shows which case reopened it), and the new case is a request too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.read import city
from engine.persistence.repositories.cases import CaseStore

MAX_REQUESTS = 1000


def services(store: CaseStore) -> list[dict[str, Any]]:
    """Every subtype of the catalogue (``code, kind, major_code, major_name_zh, name_zh, name_en``) by code."""
    return city.subtypes(store)


def service(store: CaseStore, code: str) -> dict[str, Any] | None:
    """The subtype ``code``, or None."""
    return next((row for row in city.subtypes(store) if row["code"] == code), None)


@dataclass(frozen=True)
class RequestFilter:
    """GET requests' filters: case numbers (then nothing else applies), or codes, a time range and results."""

    case_nos: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    results: tuple[str, ...] = ()  # open | closed | voided
    limit: int = MAX_REQUESTS


_COLUMNS = ("f.case_no", "f.subtype", "f.result", "f.reported_at", "f.updated_at", "f.due_at", "f.lat", "f.lon",
            "f.filed_at", "f.dispatched_at", "f.disposed_at", "f.checked_at", "r.extra_json", "r.token",
            "s.name_zh", "s.name_en", "d.name_zh", "d.name_en", "n.case_no")
_NAMES = ("case_no", "subtype", "result", "reported_at", "updated_at", "due_at", "lat", "lon", "filed_at",
          "dispatched_at", "disposed_at", "checked_at", "extra", "token", "service_zh", "service_en",
          "department_zh", "department_en", "reopened_as")
_TIMES = ("reported_at", "updated_at", "due_at", "filed_at", "dispatched_at", "disposed_at", "checked_at")


# (report, case) of every case a report follows or followed; UNION drops the first case counted twice.
_FOLLOWED = ("SELECT id AS report_id, first_case_id AS case_id FROM citizen_reports"
             " UNION SELECT id, case_id FROM citizen_reports"
             " UNION SELECT report_id, reopened_case_id FROM citizen_ratings WHERE reopened_case_id IS NOT NULL")
# the case a 回访 reopened in place of this one (one rating per report and case), and its number
_REOPENED = (" LEFT JOIN citizen_ratings g ON g.report_id = p.report_id AND g.case_id = p.case_id"
             " AND g.reopened_case_id IS NOT NULL LEFT JOIN case_facts n ON n.case_id = g.reopened_case_id")


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" for _ in values)


def _where(store: CaseStore, chosen: RequestFilter) -> tuple[str, list[Any]]:
    if chosen.case_nos:
        return f"f.case_no IN ({_marks(chosen.case_nos)})", list(chosen.case_nos)
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if chosen.service_codes:
        clauses.append(f"f.subtype IN ({_marks(chosen.service_codes)})")
        params += list(chosen.service_codes)
    if chosen.results:
        clauses.append(f"f.result IN ({_marks(chosen.results)})")
        params += list(chosen.results)
    for clause, moment in (("f.reported_at >= ?", chosen.start), ("f.reported_at <= ?", chosen.end)):
        if moment is not None:
            clauses.append(clause)
            params.append(store.dialect.stamp(moment))  # SQLite compares text: the stored UTC format
    return " AND ".join(clauses), params


def public_requests(store: CaseStore, chosen: RequestFilter) -> list[dict[str, Any]]:
    """The public's requests the filter picks, newest first, at most ``chosen.limit``; never a contact."""
    where, params = _where(store, chosen)
    rows = store._execute(
        f"SELECT {', '.join(_COLUMNS)} FROM ({_FOLLOWED}) p JOIN citizen_reports r ON r.id = p.report_id"
        f" JOIN case_facts f ON f.case_id = p.case_id{_REOPENED}"
        " LEFT JOIN subtypes s ON s.code = f.subtype LEFT JOIN departments d ON d.code = f.department"
        f" WHERE {where} ORDER BY f.reported_at DESC, f.case_no DESC LIMIT ?", (*params, chosen.limit)).fetchall()
    found = []
    for values in rows:
        row = dict(zip(_NAMES, values, strict=True))
        for name in _TIMES:
            row[name] = as_utc(row[name])
        row["extra"] = json.loads(row["extra"] or "{}")
        found.append(row)
    return found


def case_no_of_token(store: CaseStore, token: str) -> str | None:
    """The number of the case a tracking token follows now, or None."""
    found = store._execute("SELECT f.case_no FROM citizen_reports r JOIN case_facts f ON f.case_id = r.case_id"
                           " WHERE r.token = ?", (token,)).fetchone()
    return str(found[0]) if found else None
