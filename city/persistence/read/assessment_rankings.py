"""What the assessment's rankings, trends and map read (考评排名, 趋势, 地图; docs/assessment.md): a round's
objects with the score of their inspection (visit 0: re-inspections decide rectifications, never the score), ranked
per object, street, district or property company against the previous period's round of the same scheme; a level's
averages over the last periods; the round's objects as GeoJSON coloured by their light.

Each answer is one query over both periods (``assessment_rounds`` by its unique (scheme, period), the inspections
by their round, the objects and companies by id); ranks, changes and lights come from ``city.assessment.standings``.
"""

from __future__ import annotations

import json
from typing import Any

from city.assessment import standings
from city.package.extras import ASSESSMENT_SETTINGS
from engine.persistence.db import as_utc, iso_utc
from engine.persistence.read.city_package import package_extra
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
_ROUND_COLUMNS = ("id", "scheme", "period", "state", "object_count", "starts_at", "due_at", "started_by",
                  "closed_at", "checklist_id", "case_id")


def managing_departments(store: CaseStore) -> frozenset[str]:
    """The departments managing the assessments (the city package's ``assessment.json``): only their members, of
    all department members, read rounds, rankings and reports; none when the package names none."""
    found = package_extra(store, *ASSESSMENT_SETTINGS)
    codes = json.loads(found).get("managing_departments", []) if found else []
    return frozenset(str(code) for code in codes)


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


def round_row(store: CaseStore, scheme: str, period: str) -> dict[str, Any] | None:
    """The scheme's round of ``period`` (times as ISO strings); None when there is none."""
    row = store._execute(f"SELECT {', '.join(_ROUND_COLUMNS)} FROM assessment_rounds WHERE scheme = ? AND period = ?",
                         (scheme, period)).fetchone()
    if row is None:
        return None
    found = dict(zip(_ROUND_COLUMNS, row, strict=True))
    for name in ("starts_at", "due_at", "closed_at"):
        found[name] = iso_utc(as_utc(found[name]))
    return found


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


def _group(rows: list[dict[str, Any]], level: str) -> dict[str, dict[str, Any]]:
    """The rows of one period summed per street, district or company (objects without one are left out)."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row[level]
        if key is None:
            continue
        group = groups.setdefault(key, {"code": key, "name": row[f"{level}_name"] or key, "objects": 0,
                                        "inspected": 0, "failed_items": 0, "scores": []})
        group["objects"] += 1
        if row["score"] is not None:
            group["inspected"] += 1
            group["scores"].append(row["score"])
            group["failed_items"] += row["failed_items"] or 0
    for group in groups.values():
        group["score"] = standings.average(group.pop("scores"))
        group["not_inspected"] = group["objects"] - group["inspected"]
    return groups


def _object_rows(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for row in rows:
        found = {k: v for k, v in row.items() if k != "period"}
        found.update(inspected=row["score"] is not None, light=standings.light(row["score"]))
        out[row["code"]] = found
    return out


def level_rows(rows: list[dict[str, Any]], period: str, previous: str, level: str) -> list[dict[str, Any]]:
    """The level's rows of ``period`` ranked, each with ``previous`` (its score the period before) and ``change``."""
    now = [r for r in rows if r["period"] == period]
    before = [r for r in rows if r["period"] == previous]
    shape = _object_rows if level == "object" else lambda found: _group(found, level)
    current, earlier = shape(now), shape(before)
    for code, row in current.items():
        row["previous"] = earlier[code]["score"] if code in earlier else None
        row["change"] = standings.change(row["score"], row["previous"])
    return standings.rank_rows(list(current.values()))


def with_credit(rows: list[dict[str, Any]], points: dict[str, float]) -> None:
    """Each company row given its credit score (100 − points of the last 365 days) and grade."""
    for row in rows:
        row["credit_points"] = points.get(row["code"], 0.0)
        row["credit_score"] = standings.credit_score(row["credit_points"])
        row["grade"] = standings.grade(row["credit_score"])


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


def _point(period: str, total: dict[str, Any] | None) -> dict[str, Any]:
    if total is None:
        return {"period": period, "average": None, "inspected": 0, "objects": 0}
    average = round(total["sum"] / total["inspected"], 1) if total["inspected"] else None
    return {"period": period, "average": average, "inspected": total["inspected"], "objects": total["objects"]}


def trend_series(rows: list[dict[str, Any]], overall: dict[str, dict[str, Any]],
                 periods: list[str]) -> dict[str, Any]:
    """The overall line (``trend_overall``) and one line per key: each period's average, inspected and objects
    (None: no round)."""
    per_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        series = per_key.setdefault(row["code"], {"code": row["code"], "name": row["name"], "points": {}})
        series["points"][row["period"]] = row
    lines = [{"code": s["code"], "name": s["name"], "points": [_point(p, s["points"].get(p)) for p in periods]}
             for s in sorted(per_key.values(), key=lambda s: s["code"])]
    return {"overall": [_point(p, overall.get(p)) for p in periods], "series": lines}


def map_features(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The round's objects as a GeoJSON FeatureCollection: a compound its polygon, any other object its point;
    properties code, name, kind, district, street, company, score, light, state, inspection_id."""
    features = []
    for row in rows:
        geometry = json.loads(row["polygon"]) if row.get("polygon") else \
            {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        properties = {k: row[k] for k in ("code", "name", "kind", "district", "district_name", "street",
                                          "street_name", "company", "company_name", "score", "failed_items",
                                          "state", "inspection_id")}
        properties["light"] = standings.light(row["score"])
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
