"""What the assessment's rankings, trends and map read (考评排名, 趋势, 地图; docs/assessment.md): a round's
objects with the score of their inspection (visit 0: re-inspections decide rectifications, never the score), ranked
per object, street, district or property company against the previous period's round of the same scheme; a level's
averages over the last periods; the round's objects as GeoJSON coloured by their light.

Each answer is one query over both periods (``assessment_rounds`` by its unique (scheme, period), the inspections
by their round, the objects and companies by id); ``city.assessment.ranking_rows`` ranks, compares and colours
them.
"""

from __future__ import annotations

from typing import Any

from city.package.extras import ASSESSMENT_SETTINGS
from city.persistence.read.package_departments import package_departments
from engine.persistence.db import as_utc, iso_utc
from engine.persistence.repositories.cases import CaseStore

# per level: (the grouping key, its name) over the objects ``o``, districts ``d``, streets ``s``, companies ``c``
# the place and company as the round opened the inspection (a compound changing company later keeps its past
# scores with its old company)
LEVEL_COLUMNS = {"object": ("o.code", "o.name"), "street": ("i.street_code", "s.name"),
                 "district": ("i.district_code", "d.name"), "company": ("c.code", "c.name")}
_JOINS = (" FROM assessment_inspections i JOIN assessment_rounds r ON r.id = i.round_id"
          " JOIN assessed_objects o ON o.id = i.object_id LEFT JOIN districts d ON d.code = i.district_code"
          " LEFT JOIN streets s ON s.code = i.street_code LEFT JOIN property_companies c ON c.id = i.company_id")
_OBJECT_COLUMNS = ("period", "inspection_id", "code", "name", "kind", "district", "district_name", "street",
                   "street_name", "company", "company_name", "score", "failed_items", "state", "inspected_at")


def managing_departments(store: CaseStore) -> frozenset[str]:
    """The departments managing the assessments (the city package's ``assessment.json``): only their members, of
    all department members, read rounds, rankings and reports; none when the package names none."""
    return package_departments(store, ASSESSMENT_SETTINGS, "managing_departments")


def newest_period(store: CaseStore, scheme: str) -> str | None:
    """The period of the scheme's newest round with at least one score (a round just opened has nothing to rank
    yet), else of its newest round; None before its first."""
    row = store._execute(
        "SELECT MAX(r.period) FROM assessment_rounds r WHERE r.scheme = ? AND EXISTS (SELECT 1 FROM"
        " assessment_inspections i WHERE i.round_id = r.id AND i.score IS NOT NULL)", (scheme,)).fetchone()
    if not row or row[0] is None:
        row = store._execute("SELECT MAX(period) FROM assessment_rounds WHERE scheme = ?", (scheme,)).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def round_periods(store: CaseStore, scheme: str) -> list[str]:
    """The periods of the scheme's rounds, newest first (the rankings page's period selector)."""
    rows = store._execute("SELECT DISTINCT period FROM assessment_rounds WHERE scheme = ? ORDER BY period DESC",
                          (scheme,)).fetchall()
    return [str(r[0]) for r in rows]


def scored_objects(store: CaseStore, scheme: str, periods: list[str], geometry: bool = False) -> list[dict[str, Any]]:
    """Every inspection of the scheme's rounds of ``periods`` with its object, place names, company and score (None
    while visit 0 is not finished); with ``geometry`` also lon, lat and a compound's polygon (GeoJSON text)."""
    extra = ", o.lon, o.lat, o.polygon_json" if geometry else ""
    marks = ", ".join("?" for _ in periods)
    rows = store._execute(
        "SELECT r.period, i.id, o.code, o.name, i.object_kind, i.district_code, d.name, i.street_code, s.name, c.code,"
        f" c.name, i.score, i.failed_items, i.state, i.inspected_at{extra}{_JOINS}"
        f" WHERE r.scheme = ? AND r.period IN ({marks}) ORDER BY r.period, o.code", (scheme, *periods)).fetchall()
    out = []
    for row in rows:
        found = dict(zip(_OBJECT_COLUMNS, row[:len(_OBJECT_COLUMNS)], strict=True))
        found["score"] = float(found["score"]) if found["score"] is not None else None
        found["inspected_at"] = iso_utc(as_utc(found["inspected_at"]))
        if geometry:
            found["lon"], found["lat"], found["polygon"] = row[len(_OBJECT_COLUMNS):]
        out.append(found)
    return out


def trend_rows(store: CaseStore, scheme: str, level: str, periods: list[str],
               code: str | None = None) -> list[dict[str, Any]]:
    """Per period and key of the level: its name, the sum and count of scores, and the objects — summed by the
    database (the overall line sums the keys' sums)."""
    key, name = LEVEL_COLUMNS[level]
    marks = ", ".join("?" for _ in periods)
    sql = (f"SELECT r.period, {key}, {name}, SUM(i.score), COUNT(i.score), COUNT(*){_JOINS}"
           f" WHERE r.scheme = ? AND r.period IN ({marks}) AND {key} IS NOT NULL")
    params: list[object] = [scheme, *periods]
    if code is not None:
        sql += f" AND {key} = ?"
        params.append(code)
    rows = store._execute(sql + f" GROUP BY r.period, {key}, {name}", params).fetchall()
    return [{"period": str(r[0]), "code": str(r[1]), "name": r[2] or str(r[1]), "sum": float(r[3] or 0),
             "inspected": int(r[4]), "objects": int(r[5])} for r in rows]


def trend_overall(store: CaseStore, scheme: str, periods: list[str]) -> dict[str, dict[str, Any]]:
    """Per period: the sum and count of every inspection's score and the objects — whatever their street, district
    or company (an object without a street or company still counts in the overall line, 全部)."""
    marks = ", ".join("?" for _ in periods)
    rows = store._execute(
        "SELECT r.period, SUM(i.score), COUNT(i.score), COUNT(*) FROM assessment_inspections i"
        f" JOIN assessment_rounds r ON r.id = i.round_id WHERE r.scheme = ? AND r.period IN ({marks})"
        " GROUP BY r.period", (scheme, *periods)).fetchall()
    return {str(r[0]): {"sum": float(r[1] or 0), "inspected": int(r[2]), "objects": int(r[3])} for r in rows}
