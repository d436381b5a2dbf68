"""Which of the demo city's departments with a mandate the responsibility rules can send a case to, computed
without a simulation from the catalogue's rule rows, the component registry's owners and the streets' offices.

A department is reachable when a rule names it as disposal unit (处置单位) for some subtype and district, when it
owns an in-service registered component (部件, routed to its owner), or when it is the street office (街道办/乡镇)
of a street and its aspects include a street-routed 事件 subtype. The nine it cannot reach, and why:

- 350602-D09, 350603-D09, 350690-D09 (the districts' 市场监督管理局): their aspects A09 and A12 go, in each
  district, to the first department holding them (the district's 城市管理局 D02), and street offices take the
  street-routed 事件 of those aspects; they own no component.
- 350602-D11, 350603-D11, 350690-D11 (the districts' 应急管理局): A11 goes to the district's D08 first.
- C04 (城市管理综合执法支队): the districts' departments dispose of its aspects; the rules make it the competent
  department (主管) of A10 and A14, not a disposal unit; it owns no component.
- C16 (市场监督管理局), C17 (应急管理局): city departments whose aspects the districts' departments dispose of.

(The 30-day simulation of ``python -m demo.routing_coverage`` names these nine and one more, C24 中国联通: it owns
registered components, so the rules can reach it, but none of its components was reported in that run.)
A change of the catalogue, the rules generator, the registry or the streets that changes this set fails here.
"""

from __future__ import annotations

import csv
import json

from city.catalog.reader import load_catalog
from city.catalog.rules import CITY, rows, street_routed
from city.routing.registry import SERVING_STATES

UNREACHABLE = {"350602-D09", "350603-D09", "350690-D09", "350602-D11", "350603-D11", "350690-D11",
               "C04", "C16", "C17"}


def reachable() -> tuple[set[str], set[str]]:
    """(departments with a mandate, those the rules can route a case to)."""
    catalog = load_catalog(CITY)
    mandated = {d.code for d in catalog.departments.values() if d.aspects and d.centre is None}
    named = {values[2] for _, _, values in rows(catalog) if isinstance(values[2], str)}  # literal disposal units
    with (CITY / "components.csv").open(encoding="utf-8", newline="") as handle:
        owners = {r["owner"] for r in csv.DictReader(handle) if (r["state"] or "in_use") in SERVING_STATES}
    offices = {s["department"] for s in json.loads((CITY / "streets.json").read_text("utf-8"))["streets"]}
    street_aspects = {s.aspect for s in catalog.subtypes.values() if street_routed(catalog, s)}
    by_street = {code for code in offices
                 if code in catalog.departments and set(catalog.departments[code].aspects) & street_aspects}
    return mandated, mandated & (named | owners | by_street)


def test_the_rules_reach_every_mandated_department_but_the_nine_named() -> None:
    mandated, reached = reachable()
    streets = {d.code for d in load_catalog(CITY).departments.values() if d.level == "street" and d.aspects}
    assert len(mandated) == 75 and len(streets) == 19
    assert mandated - reached == UNREACHABLE
    assert "C24" in reached  # by its registered components alone
    assert streets <= reached  # every street office and town (街道办/乡镇)
