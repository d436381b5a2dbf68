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
    literal = {str(values[2]) for _, _, values in rows(catalog)}
    if department.level == "street":
        return "a street office: none of its streets' grids had a 事件 of its mandate in this run"
    if department.code in literal or department.code in owners:
        return ("the rules can name it (" + ("it owns registered components" if department.code in owners else
                "disposal unit of some subtypes") + ") but no such report came in this run")
    routed = sorted({s.code for s in catalog.subtypes.values() if s.aspect in department.aspects})
    streets = [code for code in routed if street_routed(catalog, catalog.subtypes[code])]
    return (f"its aspects ({', '.join(department.aspects)}) are disposed of by departments earlier in code order "
            f"of its level{', by street offices (' + str(len(streets)) + ' subtypes)' if streets else ''} or, for "
            "components, by their owners; it owns no registered component")
