"""The assessment registries (考评对象, 物业企业, 考评细则) as the rounds, the pages and the API read them: objects with
their company, one object with its latest inspections, companies, each scheme's newest checklist."""

from __future__ import annotations

import json
from typing import Any

from city.persistence.read.like import LIKE_ESCAPED, like_pattern
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

OBJECT_COLUMNS = ("id", "scheme", "code", "name", "kind", "address", "district_code", "street_code", "grid_code",
                  "lon", "lat", "polygon_json", "min_lon", "min_lat", "max_lon", "max_lat", "company_id",
                  "department_code", "active", "updated_at")
OBJECT_SQL = ("SELECT " + ", ".join(f"o.{c}" for c in OBJECT_COLUMNS) + ", c.code, c.name"
              " FROM assessed_objects o LEFT JOIN property_companies c ON c.id = o.company_id")
COMPANY_COLUMNS = ("id", "code", "name", "contact_name", "contact_phone", "active", "updated_at")
PAGE_SIZE = 50


def _object(row: Any) -> dict[str, Any]:
    """One ``OBJECT_SQL`` row as a dict: every column, ``company_code``/``company_name``, ``active`` a bool."""
    found = dict(zip(OBJECT_COLUMNS, row[:len(OBJECT_COLUMNS)], strict=True))
    found["active"] = bool(found["active"])
    found["updated_at"] = as_utc(found["updated_at"])
    found["company_code"], found["company_name"] = row[len(OBJECT_COLUMNS)], row[len(OBJECT_COLUMNS) + 1]
    return found


def active_objects(store: CaseStore, scheme: str) -> list[dict[str, Any]]:
    """The scheme's active objects by code: every column of ``assessed_objects`` plus the company's code and name
    (``company_code``, ``company_name``; None without a company) — what a round inspects."""
    rows = store._execute(OBJECT_SQL + " WHERE o.scheme = ? AND o.active = ? ORDER BY o.code",
                          (scheme, True)).fetchall()
    return [_object(r) for r in rows]


def newest_checklist(store: CaseStore, scheme: str) -> dict[str, Any] | None:
    """The scheme's newest checklist version ``{id, version, items}`` (None: none loaded)."""
    row = store._execute("SELECT id, version, items_json FROM assessment_checklists WHERE scheme = ?"
                         " ORDER BY version DESC LIMIT 1", (scheme,)).fetchone()
    return None if row is None else {"id": int(row[0]), "version": int(row[1]), "items": json.loads(row[2])}


def checklist_versions(store: CaseStore, scheme: str) -> list[dict[str, Any]]:
    """Every version of the scheme's checklist, newest first: ``{id, version, items, loaded_by, loaded_at}``."""
    rows = store._execute("SELECT id, version, items_json, loaded_by, loaded_at FROM assessment_checklists"
                          " WHERE scheme = ? ORDER BY version DESC", (scheme,)).fetchall()
    return [{"id": int(r[0]), "version": int(r[1]), "items": json.loads(r[2]), "loaded_by": r[3],
             "loaded_at": as_utc(r[4])} for r in rows]


def stored_companies(store: CaseStore) -> dict[str, dict[str, Any]]:
    """Every property company by code, with the count of its compounds."""
    rows = store._execute("SELECT " + ", ".join(f"c.{n}" for n in COMPANY_COLUMNS) + ","
                          " (SELECT COUNT(*) FROM assessed_objects o WHERE o.company_id = c.id)"
                          " FROM property_companies c ORDER BY c.code").fetchall()
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        company = dict(zip(COMPANY_COLUMNS, r[:len(COMPANY_COLUMNS)], strict=True))
        company.update(active=bool(company["active"]), updated_at=as_utc(company["updated_at"]), compounds=int(r[-1]))
        found[str(company["code"])] = company
    return found


def stored_object_keys(store: CaseStore) -> dict[tuple[str, str], int]:
    """Every object's (scheme, code) → id: what a load updates rather than inserts."""
    rows = store._execute("SELECT scheme, code, id FROM assessed_objects").fetchall()
    return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


def _object_filters(scheme: str | None, district: str | None, kind: str | None, query: str | None,
                    active: bool | None) -> tuple[str, list[Any]]:
    """The WHERE clause (empty: none) and its parameters for ``object_page``."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("o.scheme", scheme), ("o.district_code", district), ("o.kind", kind)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if active is not None:
        clauses.append("o.active = ?")
        params.append(active)
    if query:  # the text as typed ('%' and '_' no wildcards), any case on both databases
        clauses.append("(" + " OR ".join(f"lower({c})" + LIKE_ESCAPED for c in ("o.code", "o.name", "o.address"))
                       + ")")
        params.extend([like_pattern(query.lower())] * 3)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def object_page(store: CaseStore, *, scheme: str | None = None, district: str | None = None,
                kind: str | None = None, query: str | None = None, active: bool | None = None, page: int = 1,
                page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """A page of objects (by scheme and code) matching the filters: ``{objects, total, page, page_size}``;
    ``query`` matches the code, name or address."""
    where, params = _object_filters(scheme, district, kind, query, active)
    total = int(store._execute("SELECT COUNT(*) FROM assessed_objects o" + where, params).fetchone()[0])
    page = max(1, page)
    rows = store._execute(OBJECT_SQL + where + " ORDER BY o.scheme, o.code LIMIT ? OFFSET ?",
                          [*params, page_size, (page - 1) * page_size]).fetchall()
    return {"objects": [_object(r) for r in rows], "total": total, "page": page, "page_size": page_size}


def one_object(store: CaseStore, scheme: str, code: str) -> dict[str, Any] | None:
    """One object (None: unknown) with ``inspections``: its newest 12 inspections (round period, state, score)."""
    row = store._execute(OBJECT_SQL + " WHERE o.scheme = ? AND o.code = ?", (scheme, code)).fetchone()
    if row is None:
        return None
    found = _object(row)
    rows = store._execute(
        "SELECT i.id, r.id, r.period, i.state, i.score, i.deducted, i.failed_items, i.inspected_at, i.visits"
        " FROM assessment_inspections i JOIN assessment_rounds r ON r.id = i.round_id WHERE i.object_id = ?"
        " ORDER BY r.starts_at DESC, i.id DESC LIMIT 12", (found["id"],)).fetchall()
    names = ("id", "round_id", "period", "state", "score", "deducted", "failed_items", "inspected_at", "visits")
    found["inspections"] = [{**dict(zip(names, r, strict=True)), "inspected_at": as_utc(r[7])} for r in rows]
    return found


def stored_objects(store: CaseStore) -> dict[tuple[str, str], dict[str, Any]]:
    """Every object by (scheme, code), with every column (``polygon_json`` as stored text): what a load compares
    its rows with."""
    return {(o["scheme"], o["code"]): o for o in (_object(r) for r in store._execute(OBJECT_SQL).fetchall())}


def latest_update(store: CaseStore) -> Any:
    """The newest ``updated_at`` of the companies and objects (None: both empty)."""
    found = [as_utc(v) for v in store._execute("SELECT (SELECT MAX(updated_at) FROM property_companies),"
                                               " (SELECT MAX(updated_at) FROM assessed_objects)").fetchone()]
    return max((v for v in found if v is not None), default=None)
