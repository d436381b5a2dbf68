"""The routing coverage report (demo.coverage): suggestions counted per department and how the rules chose them,
overrides apart, and each department without a suggestion named with its reason."""

from __future__ import annotations

from city.catalog.reader import load_catalog
from city.catalog.rules import CITY
from demo.coverage import coverage

CATALOG = load_catalog(CITY)


def round_of(unit: str, chosen: str | None = None, **report: object) -> dict[str, object]:
    return {"disposal_unit": unit, "report": report, "dispatch": {"department": chosen} if chosen else None}


def test_suggestions_by_owner_street_and_district_and_overrides_apart() -> None:
    rounds = [(1, round_of("C19", component={"id": "K", "owner": "C19", "department": "C19"})),
              (2, round_of("350602-S01", street_office="350602-S01")),
              (3, round_of("350602-D02", chosen="350602-D09")),
              (3, round_of("350602-D02"))]  # a second round of case 3 (after a return) counts once
    report = coverage(CATALOG, rounds, owners={"C19", "C20"})
    assert report["cases_dispatched"] == 3
    assert report["suggested_by"] == {"owner": 1, "street": 1, "district": 1}
    assert report["by_department"]["350602-D09"] == {"name": "芗城区市场监督管理局", "overridden_to": 1}
    assert report["departments_with_mandate"] == 75  # 80 departments less the supervision and command centres
    silent = {d["code"]: d["why"] for d in report["not_receiving"]}
    assert report["receiving_from_rules"] == 3 and len(silent) == 72
    assert "street office" in silent["350602-S02"]
    assert "owns no registered component" in silent["350602-D09"]
    assert "it owns registered components" in silent["C20"]  # an owner none of whose components was reported
