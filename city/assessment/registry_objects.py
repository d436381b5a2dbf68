"""``objects.geojson`` (考评对象): a FeatureCollection of the objects of both schemes. Properties: scheme, code,
name, kind, address, company (a compound's property company code; compounds only), department (the unit answering
for its rectifications, optional), active. A compound (住宅小区) is a Polygon or MultiPolygon; every other kind a
Point. A compound's point (``lon``/``lat``) lies inside it: its centroid when that is inside, else the average of
its vertices when that is, else shapely's representative point. The GeoJSON checks (JSON, nesting, a
FeatureCollection, well-formed coordinates inside the city's box) are the transport registry's."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from city.assessment.registry_files import MAX_ROWS, OBJECTS, Problems, text_cell
from city.registry_files_common import Say, flag, no_repeats, row_sayer
from city.registry_geojson_common import (
    checked_geometry,
    choice,
    kept_geometry,
    properties,
    property_code,
    read_features,
    span_m,
)
from engine.persistence.assessment_records import SCHEMES

KINDS = {"garbage_sorting": ("community", "institution", "collection_point", "transfer_station"),
         "property": ("compound",)}
COMPOUND = "compound"
MAX_FEATURE_VERTICES = 5_000  # a compound drawn on a map has tens of vertices
MAX_FILE_VERTICES = 200_000
MAX_COMPOUND_SPAN_M = 3_000.0  # a residential compound wider than 3 km is a drawing mistake
Box = tuple[float, float, float, float]


def _vertex_count(raw: Any) -> int:
    """How many positions a geometry's coordinates hold (counted without building it: a hostile file may hold
    millions; the nesting is already bounded by the transport checks)."""
    count, stack = 0, [raw.get("coordinates") if isinstance(raw, dict) else None]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            if value and not isinstance(value[0], list):
                count += 1
            else:
                stack.extend(value)
    return count


def inner_point(geometry: BaseGeometry) -> tuple[float, float]:
    """A point inside a polygon: the centroid when inside, else the vertex average when inside, else shapely's
    representative point (always inside)."""
    centroid = geometry.centroid
    if geometry.contains(centroid):
        return float(centroid.x), float(centroid.y)
    coordinates = shapely.get_coordinates(geometry)
    average = Point(float(coordinates[:, 0].mean()), float(coordinates[:, 1].mean()))
    if geometry.contains(average):
        return float(average.x), float(average.y)
    inside = geometry.representative_point()
    return float(inside.x), float(inside.y)


def _place(feature: Any, kind: str | None, bounds: Box | None, say: Say) -> dict[str, Any]:
    """``lon``, ``lat`` and (a compound's) ``polygon`` and bounding box; empty when the geometry is refused."""
    compound = kind == COMPOUND
    geometry = checked_geometry(feature, ("Polygon", "MultiPolygon") if compound else ("Point",), bounds, say)
    if geometry is None:
        return {}
    if not compound:
        lon, lat = shapely.get_coordinates(geometry)[0]
        return {"lon": float(lon), "lat": float(lat), "polygon": None}
    if not geometry.is_valid:
        say("geometry", f"not a valid polygon: {shapely.is_valid_reason(geometry)}")
        return {}
    if geometry.area <= 0:
        say("geometry", "has no area")
        return {}
    if span_m(geometry) > MAX_COMPOUND_SPAN_M:
        say("geometry", f"spans more than {MAX_COMPOUND_SPAN_M / 1000:.0f} km")
        return {}
    lon, lat = inner_point(geometry)
    west, south, east, north = geometry.bounds
    return {"lon": lon, "lat": lat, "polygon": kept_geometry(feature), "min_lon": west, "min_lat": south,
            "max_lon": east, "max_lat": north}


def _active(props: dict[str, Any], say: Say) -> bool | None:
    """``active`` as a bool (true/false, 1/0 or their text); None when absent (a stored object keeps its own, a new
    one is active)."""
    if "active" not in props:
        return None
    value = props["active"]
    if isinstance(value, bool):
        return value
    found = flag(value)
    if found is None:
        say("active", "must be true or false")
    return bool(found)


def _relations(props: dict[str, Any], kind: str | None, say: Say) -> tuple[str | None, str | None]:
    """The company code (a compound's: required; other kinds: refused) and the department code (optional)."""
    company = None
    if kind == COMPOUND:
        company = property_code(props, "company", say)
    elif props.get("company") not in (None, ""):
        say("company", "only a compound (kind compound) has a property company")
    department = property_code(props, "department", say) if props.get("department") not in (None, "") else None
    return company, department


def _object(feature: Any, bounds: Box | None, say: Say) -> dict[str, Any]:
    props = properties(feature, say)
    scheme = choice(props, "scheme", SCHEMES, say)
    kind = choice(props, "kind", KINDS[scheme], say) if scheme else None
    company, department = _relations(props, kind, say)
    return {"scheme": scheme, "code": property_code(props, "code", say), "name": text_cell(props, "name", 200, say),
            "kind": kind, "address": text_cell(props, "address", 300, say, optional=True), "company": company,
            "department": department, "active": _active(props, say), **_place(feature, kind, bounds, say)}


def read_objects(text: str, bounds: Box | None, problems: Problems) -> list[dict[str, Any]]:
    """The objects: ``{row, scheme, code, name, kind, address, company, department, active, lon, lat, polygon,
    min_lon … max_lat}`` (no ``lon`` when the geometry was refused); a code once per scheme."""
    rows: list[dict[str, Any]] = []
    if text.count("[") > 2 * MAX_FILE_VERTICES:  # each position opens one: refused before the parser builds them
        problems.add(OBJECTS, None, "file", f"at most {MAX_FILE_VERTICES:,} vertices in all")
        return rows
    vertices = 0
    features = read_features(OBJECTS, text, problems)
    if len(features) > MAX_ROWS:  # the transport parser's own bound is wider
        problems.add(OBJECTS, None, "file", f"at most {MAX_ROWS:,} features in a file")
        return rows
    for row, feature in enumerate(features, start=1):
        say = row_sayer(OBJECTS, row, problems)
        count = _vertex_count(feature.get("geometry") if isinstance(feature, dict) else None)
        vertices += count
        if vertices > MAX_FILE_VERTICES:
            problems.add(OBJECTS, None, "file", f"at most {MAX_FILE_VERTICES:,} vertices in all")
            return []
        if count > MAX_FEATURE_VERTICES:
            say("geometry", f"at most {MAX_FEATURE_VERTICES:,} vertices")
            rows.append({"row": row, "code": None})
            continue
        rows.append({"row": row, **_object(feature, bounds, say)})
    no_repeats(OBJECTS, rows, "code", problems, group=lambda r: r.get("scheme"))
    return rows

