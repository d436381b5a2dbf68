"""What a scheme period's report reads (考评月报 / 季报; docs/assessment.md) besides the rankings' rows: the checklist
items the round scored with (its checklist version's labels and points), what each item's results came to — failed
at the inspection, points deducted, rectification cases opened (整改), items passing a re-inspection (rectified) and
cases opened again after a re-inspection failed (重复整改) — in one query grouped by item, and the property credit
events of the period per company (信用扣分)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

_ITEM_COUNTS = (
    "SELECT res.item_code,"
    " SUM(CASE WHEN res.visit = 0 AND res.result = 'fail' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN res.visit = 0 AND res.result = 'fail' THEN res.deduction ELSE 0 END),"
    " SUM(CASE WHEN res.case_id IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN res.visit > 0 AND res.result = 'pass' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN res.visit > 0 AND res.case_id IS NOT NULL THEN 1 ELSE 0 END)"
    " FROM assessment_results res JOIN assessment_inspections i ON i.id = res.inspection_id"
    " WHERE i.round_id = ? GROUP BY res.item_code")


def checklist_items(store: CaseStore, checklist_id: int) -> list[dict[str, Any]]:
    """The items of a checklist version, in their order."""
    row = store._execute("SELECT items_json FROM assessment_checklists WHERE id = ?", (checklist_id,)).fetchone()
    if row is None:
        return []
    return [item for item in json.loads(row[0]) if isinstance(item, dict)]


def item_counts(store: CaseStore, round_id: int) -> dict[str, dict[str, Any]]:
    """Per item code of the round's results: failed (at the inspection), deducted, opened (rectification cases),
    rectified (passed at a re-inspection), repeated (a case opened again at a re-inspection)."""
    out = {}
    for code, failed, deducted, opened, rectified, repeated in store._execute(_ITEM_COUNTS, (round_id,)).fetchall():
        out[str(code)] = {"failed": int(failed or 0), "deducted": round(float(deducted or 0), 1),
                          "opened": int(opened or 0), "rectified": int(rectified or 0),
                          "repeated": int(repeated or 0)}
    return out


def failed_items(items: list[dict[str, Any]], counts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each checklist item with its counts (items of another version last), the most failed first."""
    zero = {"failed": 0, "deducted": 0.0, "opened": 0, "rectified": 0, "repeated": 0}
    known = {item["code"]: item for item in items if "code" in item}
    rows = [{"code": code, "label": item.get("label", code), "label_en": item.get("label_en"),
             "points": item.get("points"), **counts.get(code, zero)} for code, item in known.items()]
    rows += [{"code": code, "label": code, "label_en": None, "points": None, **found}
             for code, found in counts.items() if code not in known]
    return sorted(rows, key=lambda r: (-r["failed"], r["code"]))


def credit_by_company(store: CaseStore, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The property credit events of [since, until) per company: events, points, and how many came from cases
    inside its compounds and from inspections; most points first."""
    rows = store._execute(
        "SELECT c.code, c.name, COUNT(*), SUM(e.points), SUM(CASE WHEN e.source = 'case' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN e.source = 'inspection' THEN 1 ELSE 0 END) FROM property_credit_events e"
        " JOIN property_companies c ON c.id = e.company_id WHERE e.at >= ? AND e.at < ?"
        " GROUP BY c.code, c.name", (store.dialect.stamp(since), store.dialect.stamp(until))).fetchall()
    out = [{"company": str(r[0]), "name": str(r[1]), "events": int(r[2]), "points": round(float(r[3] or 0), 1),
            "from_cases": int(r[4] or 0), "from_inspections": int(r[5] or 0)} for r in rows]
    return sorted(out, key=lambda r: (-r["points"], r["company"]))
