"""The assessment's rankings, trends and map shaped from what ``city.persistence.read.assessment_rankings`` reads
(考评排名, 趋势, 地图), pure: a level's rows of a period ranked against the previous period (objects as they are;
streets, districts and companies summed), companies given their credit score and grade, the trend lines' points and
the round's objects as GeoJSON coloured by their light."""

from __future__ import annotations

import json
from typing import Any

from city.assessment import standings


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
