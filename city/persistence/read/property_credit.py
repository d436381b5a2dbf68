"""Property companies' credit (物业信用) as the credit hook, the API and the pages read it: the active compounds whose
bounding box holds a point (the hook tests the polygon), an inspection's object and company, the companies with
their points and counts, one company's credit events, points over time and compounds with their latest score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc, as_utc_not_null
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class CompoundRow:
    """An active compound of an active company, as the point-in-compound lookup needs it."""

    id: int
    code: str
    name: str
    company_id: int
    polygon_json: str
    updated_at: datetime


def compounds_around(store: CaseStore, lon: float, lat: float) -> list[CompoundRow]:
    """The active compounds (scheme property) of active companies whose bounding box holds (lon, lat)."""
    rows = store._execute(
        "SELECT o.id, o.code, o.name, o.company_id, o.polygon_json, o.updated_at FROM assessed_objects o"
        " JOIN property_companies c ON c.id = o.company_id"
        " WHERE o.scheme = 'property' AND o.kind = 'compound' AND o.active = ? AND c.active = ?"
        " AND o.polygon_json IS NOT NULL AND o.min_lon <= ? AND o.max_lon >= ? AND o.min_lat <= ? AND o.max_lat >= ?"
        " ORDER BY o.id", (True, True, lon, lon, lat, lat)).fetchall()
    return [CompoundRow(int(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), as_utc_not_null(r[5])) for r in rows]


def inspection_company(store: CaseStore, inspection_id: int) -> tuple[int, int] | None:
    """(object id, company id) of an inspection opened with a company: the company the round opened it with (the
    object's company then), not the object's current one — a compound changing hands mid-round keeps its failure
    with the company inspected; None when the inspection has no company."""
    row = store._execute(
        "SELECT object_id, company_id FROM assessment_inspections WHERE id = ? AND company_id IS NOT NULL",
        (inspection_id,)).fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def companies(store: CaseStore, since: datetime) -> list[dict[str, Any]]:
    """Every company: id, code, name, active, its points since ``since``, its active compounds and its events."""
    rows = store._execute(
        "SELECT c.id, c.code, c.name, c.active,"
        " (SELECT COALESCE(SUM(e.points), 0) FROM property_credit_events e WHERE e.company_id = c.id AND e.at >= ?),"
        " (SELECT COUNT(*) FROM assessed_objects o WHERE o.company_id = c.id AND o.scheme = 'property'"
        "  AND o.active = ?),"
        " (SELECT COUNT(*) FROM property_credit_events e WHERE e.company_id = c.id)"
        " FROM property_companies c ORDER BY c.code", (store.dialect.stamp(since), True)).fetchall()
    return [{"id": int(r[0]), "code": str(r[1]), "name": str(r[2]), "active": bool(r[3]), "points": float(r[4]),
             "compounds": int(r[5]), "events": int(r[6])} for r in rows]


def company_by_code(store: CaseStore, code: str) -> dict[str, Any] | None:
    """One company by its code (id, code, name, contact, phone, active), or None."""
    row = store._execute("SELECT id, code, name, contact_name, contact_phone, active FROM property_companies"
                         " WHERE code = ?", (code,)).fetchone()
    if row is None:
        return None
    return {"id": int(row[0]), "code": str(row[1]), "name": str(row[2]), "contact_name": row[3],
            "contact_phone": row[4], "active": bool(row[5])}


EVENT_COLUMNS = ("id", "source", "subtype_code", "points", "reason", "at", "compound_code", "compound_name",
                 "case_no", "inspection_id", "period")


def company_events(store: CaseStore, company_id: int, page: int, per_page: int) -> tuple[int, list[dict[str, Any]]]:
    """How many credit events the company has, and the ``page``-th ``per_page`` of them, newest first, with the
    compound, the case's number and the inspection's round period."""
    total = int(store._execute("SELECT COUNT(*) FROM property_credit_events WHERE company_id = ?",
                               (company_id,)).fetchone()[0])
    rows = store._execute(
        "SELECT e.id, e.source, e.subtype_code, e.points, e.reason, e.at, o.code, o.name, s.case_no,"
        " e.inspection_id, r.period FROM property_credit_events e JOIN assessed_objects o ON o.id = e.object_id"
        " LEFT JOIN case_summaries s ON s.case_id = e.case_id"
        " LEFT JOIN assessment_inspections i ON i.id = e.inspection_id LEFT JOIN assessment_rounds r ON r.id ="
        " i.round_id WHERE e.company_id = ? ORDER BY e.at DESC, e.id DESC LIMIT ? OFFSET ?",
        (company_id, per_page, (page - 1) * per_page)).fetchall()
    found = [dict(zip(EVENT_COLUMNS, r, strict=True)) for r in rows]
    for event in found:
        event["points"], event["at"] = float(event["points"]), as_utc(event["at"])
    return total, found


def company_points_since(store: CaseStore, company_id: int, since: datetime) -> list[tuple[datetime, float]]:
    """(when, points) of the company's events since ``since``, oldest first."""
    rows = store._execute("SELECT at, points FROM property_credit_events WHERE company_id = ? AND at >= ?"
                          " ORDER BY at", (company_id, store.dialect.stamp(since))).fetchall()
    return [(as_utc_not_null(r[0]), float(r[1])) for r in rows]


def company_compounds(store: CaseStore, company_id: int) -> list[dict[str, Any]]:
    """The company's compounds (code, name, district, address, active), by code."""
    rows = store._execute("SELECT id, code, name, district_code, address, active FROM assessed_objects"
                          " WHERE company_id = ? AND scheme = 'property' ORDER BY code", (company_id,)).fetchall()
    return [{"id": int(r[0]), "code": str(r[1]), "name": str(r[2]), "district_code": r[3], "address": r[4],
             "active": bool(r[5])} for r in rows]


def inspected_scores(store: CaseStore, company_id: int | None = None) -> list[dict[str, Any]]:
    """Every scored inspection of a compound with a company (of ``company_id`` when given): object id, company id,
    score, round period and when it was inspected, oldest first (the caller keeps each compound's latest)."""
    where, params = ("", ()) if company_id is None else (" AND o.company_id = ?", (company_id,))
    rows = store._execute(
        "SELECT o.id, o.company_id, i.score, r.period, i.inspected_at FROM assessment_inspections i"
        " JOIN assessed_objects o ON o.id = i.object_id JOIN assessment_rounds r ON r.id = i.round_id"
        " WHERE o.scheme = 'property' AND o.company_id IS NOT NULL AND i.score IS NOT NULL" + where
        + " ORDER BY i.inspected_at, i.id", params).fetchall()
    return [{"object_id": int(r[0]), "company_id": int(r[1]), "score": float(r[2]), "period": str(r[3]),
             "inspected_at": as_utc(r[4])} for r in rows]
