"""Decoration works as the API, the pages and the command line show them: each read opens a read-only unit of work
over ``city/persistence/read/decoration.py`` and shapes JSON-safe rows (dates and times as ISO 8601)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from city.persistence.read import decoration as reads
from engine.domain.errors import NotFound
from engine.persistence.read import cases as case_reads
from engine.service.deps import Deps

HIDDEN = ("id", "removal_permit_id", "removal_company_id")
PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _shaped(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) for k, v in row.items() if k not in HIDDEN}


def works_list(deps: Deps, state: str | None = None, district: str | None = None, page: int = 1,
               per_page: int = PER_PAGE) -> dict[str, Any]:
    """A page of the works, newest first (filters: state, district), with their removal's permit and company codes:
    ``{works, total, page, per_page, pages}``."""
    with deps.uow(read_only=True) as uow:
        total, rows = reads.works_list(uow.store, state, district, page, per_page)
    return {"works": [_shaped(r) for r in rows], "total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page))}


def works_detail(deps: Deps, code: str) -> dict[str, Any]:
    """One works with its case number, office, removal, inspections and linked cases (404 when unknown)."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        works = reads.works_by_code(store, code)
        if works is None:
            raise NotFound(f"no decoration works {code!r}", field="code")
        removal = reads.removal_of(store, works)
        case_id = works["case_id"]
        inspections = reads.inspections(store, case_id)
        links = reads.linked_cases(store, works["id"])
        values = reads.case_values(store, case_id, "office_group", "cancel_reason")
        case_no = case_reads.case_no(store, case_id)
    return {**_shaped(works), "case_no": case_no, "office_group": values["office_group"],
            "cancel_reason": values["cancel_reason"],
            "removal": None if removal is None else {k: _iso(v) for k, v in removal.items()},
            "inspections": [{k: _iso(v) for k, v in i.items()} for i in inspections],
            "linked_cases": [{k: _iso(v) for k, v in link.items()} for link in links]}
