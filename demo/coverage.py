"""Which departments the responsibility rules send cases to: after a simulation, per department with a mandate
(aspects of its own, command and supervision centres aside), the cases the rules suggested to it at 派遣 — by a
component's owner, by the grid's street office, or by district and aspect — and those only a dispatcher's override
sent it; each department receiving none is named with the reason the rules give it none."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from city.catalog.reader import Catalog, Department
from city.catalog.rules import rows, street_routed


def _how(data: dict[str, Any]) -> str:
    """How the rules chose the suggested department: ``owner``, ``street`` or ``district``."""
    report, suggested = data.get("report") or {}, data.get("disposal_unit")
    component = report.get("component") or {}
    if suggested is not None and suggested == component.get("department"):
        return "owner"
    if suggested is not None and suggested == report.get("street_office"):
        return "street"
    return "district"


def coverage(catalog: Catalog, rounds: Sequence[tuple[int, dict[str, Any]]], owners: set[str]) -> dict[str, Any]:
    """The coverage report of one simulation's dispatch rounds (``city.persistence.read.routing``); ``owners``:
    the departments owning an in-service component of the registry."""
    suggested: dict[str, Counter[str]] = {}
    overridden: Counter[str] = Counter()
    first: dict[int, dict[str, Any]] = {}
    for case_id, data in rounds:
        first.setdefault(case_id, data)
        chosen = (data.get("dispatch") or {}).get("department")
        if chosen and chosen != data.get("disposal_unit"):
            overridden[chosen] += 1
    for data in first.values():
        unit = data.get("disposal_unit")
        if unit:
            suggested.setdefault(unit, Counter())[_how(data)] += 1
    mandated = sorted((d for d in catalog.departments.values() if d.aspects and d.centre is None),
                      key=lambda d: d.code)
    silent = [{"code": d.code, "name": d.name_zh, "why": _why(catalog, d, owners)}
              for d in mandated if d.code not in suggested]
    return {"cases_dispatched": len(first), "departments_with_mandate": len(mandated),
            "receiving_from_rules": len(mandated) - len(silent),
            "suggested_by": dict(sum((c for c in suggested.values()), Counter())),
            "not_receiving": silent,
            "by_department": {d.code: {"name": d.name_zh, **dict(suggested.get(d.code, Counter())),
                                       "overridden_to": overridden.get(d.code, 0)} for d in mandated}}


def _why(catalog: Catalog, department: Department, owners: set[str]) -> str:
    """Why the rules suggest no case to this department."""
    if department.level == "street":
        return "a street office: none of its streets' grids had a 事件 of its mandate in this run"
    literal = {str(values[2]) for _, _, values in rows(catalog)}
    if department.code in literal or department.code in owners:
        what = "it owns registered components" if department.code in owners else "disposal unit of some subtypes"
        return f"the rules can name it ({what}) but no such report came in this run"
    aspects = ", ".join(department.aspects)
    streets = sum(1 for s in catalog.subtypes.values()
                  if s.aspect in department.aspects and street_routed(catalog, s))
    by_streets = f"; street offices take {streets} of its aspects' 事件 subtypes" if streets else ""
    if department.level == "city":
        competent = sorted({a for a in department.aspects if _first(catalog, a, "city", None) == department.code})
        named = (f"the competent department (主管) for {', '.join(competent)}" if competent
                 else "neither disposal unit nor competent department of any subtype")
        return (f"a city department: the districts' departments dispose of its aspects ({aspects}){by_streets}; the "
                f"rules make it {named}; it owns no registered component")
    first = sorted({f"{a} → {_first(catalog, a, department.level, department.district)}" for a in department.aspects})
    return (f"in its district each aspect goes to the first department holding it ({'; '.join(first)}){by_streets}; "
            "it owns no registered component")


def _first(catalog: Catalog, aspect: str, level: str, district: str | None) -> str | None:
    """The department the rules route an aspect to at a level (the first by code holding it)."""
    holders = sorted(d.code for d in catalog.departments.values() if aspect in d.aspects and d.level == level
                     and d.centre is None and (district is None or d.district == district))
    return holders[0] if holders else None
