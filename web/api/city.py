"""The city for maps and pickers: grid polygons, point lookup, subtypes, departments; a case's diagram."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from engine.bpmn.foreign import first_bpmn
from engine.persistence.read import cases as case_reads
from engine.persistence.read import city
from engine.persistence.read.city import GRID_TABLES
from engine.persistence.repositories.versions import case_version_sources
from web import context
from web.api.auth import authenticated
from web.api.cases import visible_case
from web.api.errors import ApiError
from web.policy import READ_CASES, READ_CITY

bp = Blueprint("api_city", __name__)


def _bbox() -> tuple[float, float, float, float] | None:
    text = request.args.get("bbox")
    if not text:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise ApiError(422, "bbox is west,south,east,north in degrees", {"bbox": "invalid"}) from None
    if west >= east or south >= north:
        raise ApiError(422, "bbox is west,south,east,north in degrees", {"bbox": "empty box"})
    return west, south, east, north


def _inside(geometry: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [
        ring for polygon in geometry["coordinates"] for ring in polygon]
    points = [point for ring in rings for point in ring]
    west, south, east, north = box
    return not (max(p[0] for p in points) < west or min(p[0] for p in points) > east
                or max(p[1] for p in points) < south or min(p[1] for p in points) > north)


@bp.get("/city/grids")
@authenticated(READ_CITY)
def grids() -> ResponseReturnValue:
    """GeoJSON of the districts, responsibility grids or unit grids (``level``), optionally in a ``bbox``."""
    level = request.args.get("level", "resp")
    if level not in GRID_TABLES:
        raise ApiError(422, "level is district, resp or unit", {"level": "invalid"})
    box = _bbox()
    with context.deps().uow(read_only=True) as uow:
        rows = city.grid_rows(uow.store, level)
    features = []
    for code, name, district, resp, geometry_json in rows:
        geometry = json.loads(geometry_json)
        if box is None or _inside(geometry, box):
            features.append({"type": "Feature", "geometry": geometry, "properties": {
                "code": code, "name": name, "district": district, "resp_grid": resp}})
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.get("/city/locate")
@authenticated(READ_CITY)
def locate() -> ResponseReturnValue:
    """The grids of a point; 404 outside the city's grids."""
    try:
        lon, lat = float(request.args["lon"]), float(request.args["lat"])
    except (KeyError, ValueError):
        raise ApiError(422, "lon and lat are required numbers", {"lon": "required", "lat": "required"}) from None
    where = context.deps().script_helpers["locate"](lon, lat)
    if where is None:
        raise ApiError(404, "the point is outside the city's grids")
    return jsonify(where)


@bp.get("/city/subtypes")
@authenticated(READ_CITY)
def subtypes() -> ResponseReturnValue:
    """The problem categories (部件/事件) for pickers."""
    with context.deps().uow(read_only=True) as uow:
        rows = city.subtypes(uow.store)
    keys = ("code", "kind", "major_code", "major_name_zh", "name_zh", "name_en", "limit_amount", "limit_unit",
            "video_ai")
    return jsonify({"subtypes": [{key: row[key] for key in keys} for row in rows]})


@bp.get("/city/departments")
@authenticated(READ_CITY)
def departments() -> ResponseReturnValue:
    """The departments, for dispatch pickers."""
    with context.deps().uow(read_only=True) as uow:
        rows = city.departments(uow.store)
    return jsonify({"departments": [{"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"],
                                     "level": r["level"], "district": r["district_code"]} for r in rows]})


@bp.get("/cases/<case_no>/diagram")
@authenticated(READ_CASES)
def diagram(case_no: str) -> ResponseReturnValue:
    """The BPMN of the case's process version, with the elements that are active and those already done."""
    case = visible_case(case_no)
    with context.deps().uow(read_only=True) as uow:
        files = case_version_sources(uow.store, case["id"])
        done, waiting = case_reads.diagram_marks(uow.store, case["id"])
    bpmn = first_bpmn(files)  # .bpmn or Flowable's .bpmn20.xml
    active = sorted({t["bpmn_id"] for t in case["tasks"]} | waiting)
    return jsonify({"case_no": case_no, "process_id": case["process_id"], "bpmn": bpmn, "active": active,
                    "completed": sorted(done)})
