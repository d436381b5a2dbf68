"""The inspector's sheet of an assessment inspection (考评检查表), as the API and the phone page show it: the
inspection, its object and round, its case number and ready visit task, the visit being recorded and every
checklist item with what each visit recorded. The current visit's items are ``scoring.expected_items`` — the ones
the model scores the visit on — with the previous visit's failed codes taken from the results already read."""

from __future__ import annotations

from typing import Any

from city.assessment.scoring import expected_items
from city.persistence.read import assessment_inspections as reads
from engine.persistence.read.cases import case_no
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps

_PLACE = {"id": "object_id", "code": "object_code", "name": "object_name", "kind": "object_kind",
          "address": "address", "district": "district_code", "street": "street_code", "grid": "grid_code",
          "lon": "lon", "lat": "lat", "department": "department_code", "company": "company_code",
          "company_name": "company_name"}


def _current_codes(found: dict[str, Any], visit: int | None, results: list[dict[str, Any]]) -> set[str]:
    """The codes of the items visit ``visit`` records (none once closed or escalated)."""
    if visit is None:
        return set()
    failed = [r["item_code"] for r in results if r["visit"] == visit - 1 and r["result"] == "fail"]
    return {str(item["code"]) for item in expected_items(found["items"], visit, failed)}


def sheet_of(store: CaseStore, inspection_id: int) -> dict[str, Any] | None:
    """The sheet read through ``store`` (None: unknown inspection); see ``inspection_sheet``."""
    found = reads.inspection(store, inspection_id)
    if found is None:
        return None
    visit = int(found["visits"]) if found["state"] in (reads.NOT_INSPECTED, reads.RECTIFYING) else None
    results = reads.all_results(store, inspection_id)
    current = _current_codes(found, visit, results)
    items = [{**item, "current": item["code"] in current,
              "results": [r for r in results if r["item_code"] == item["code"]]} for item in found["items"]]
    return {"inspection": {k: found[k] for k in reads.INSPECTION_COLUMNS},
            "object": {key: found[column] for key, column in _PLACE.items()},
            "round": {"id": found["round_id"], "scheme": found["scheme"], "period": found["period"],
                      "due_at": found["round_due_at"], "state": found["round_state"]},
            "case_no": case_no(store, found["case_id"]) if found["case_id"] is not None else None,
            "task": reads.open_visit_task(store, found["case_id"]), "visit": visit, "items": items,
            "score": found["score"]}


def inspection_sheet(deps: Deps, inspection_id: int) -> dict[str, Any] | None:
    """The inspector's sheet (None: unknown), read in one read-only unit of work: ``inspection`` (the row),
    ``object``, ``round``, ``case_no``, ``task`` (the ready visit task or None), ``visit`` (the visit being recorded;
    None once closed or escalated), ``items`` (each checklist item with ``current``: recorded at this visit, and
    ``results``: every visit's record with its rectification case's number) and ``score`` (the inspection's: the
    first visit's)."""
    with deps.uow(read_only=True) as uow:
        return sheet_of(uow.store, inspection_id)
