"""The registry's GeoJSON files: ``sites.geojson`` (出土点, 消纳场 and companies' 停车场 polygons) and
``permits.geojson`` (核准: route
corridors as lines with the permit's terms in their properties), each feature checked with shapely: a valid polygon
or a line of at least two distinct points, coordinates in range and inside the city's box, of a plausible size."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from city.transport.geometry import hour_windows
from city.transport.registry_files import CODE, MAX_ROWS, PERMITS, PLATE, SITES, Problems

SITE_KINDS = ("source", "disposal", "depot")  # a depot (停车场) is one company's: its trucks park there
PERMIT_STATES = ("active", "revoked")
MAX_SITE_SPAN_M = 10_000.0  # a site wider than 10 km is a drawing mistake
MAX_CORRIDOR_M = 300_000.0  # a route longer than 300 km leaves the city
MAX_PLATES = 1_000
# an end of 24:00 is the end of the day; no other end past 23:59 (the facts' hour_windows reads the same)
HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$")
MAX_DEPTH = 32  # a MultiPolygon's coordinates nest 4 deep in a feature 3 deep: far deeper is not a registry file
YEARS = (2000, 2999)  # a permit's validity in UTC, as the views' periods (a year past 9999 cannot be stored)
WORLD = (-180.0, -90.0, 180.0, 90.0)
Say = Callable[[str, str], None]


def _features(name: str, text: str, problems: Problems) -> list[dict[str, Any]]:
    """The file's features (a FeatureCollection's), or none with the file's problem."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        problems.add(name, None, "file", f"not JSON: {exc}")
        return []
    except RecursionError:  # the parser recurses per nesting level
        problems.add(name, None, "file", f"nested more than {MAX_DEPTH} levels deep")
        return []
    if _depth(document) > MAX_DEPTH:  # shapely, the checks and the stored text all recurse through the nesting
        problems.add(name, None, "file", f"nested more than {MAX_DEPTH} levels deep")
        return []
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        problems.add(name, None, "file", "must be a GeoJSON FeatureCollection")
        return []
    features: list[dict[str, Any]] = document["features"]
    if len(features) > MAX_ROWS:
        problems.add(name, None, "file", f"at most {MAX_ROWS} features")
        return []
    return features


def _depth(document: Any) -> int:
    """How deep lists and objects nest in ``document`` (counted without recursion: the document may be deep)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:  # past the limit the answer is known: no need to walk further
                stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def _geometry(feature: Any, kinds: tuple[str, ...], bounds: tuple[float, float, float, float] | None,
              say: Say) -> BaseGeometry | None:
    """The feature's geometry as shapely's, when it is one of ``kinds``, well formed and inside ``bounds``."""
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(raw, dict) or raw.get("type") not in kinds:
        say("geometry", f"must be a {' or '.join(kinds)}")
        return None
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.ShapelyError) as exc:
        say("geometry", f"malformed coordinates: {str(exc).strip()[:200]}")
        return None
    coordinates = shapely.get_coordinates(geometry)
    if len(coordinates) == 0 or not all(math.isfinite(float(v)) for v in coordinates.ravel()):
        say("geometry", "needs finite coordinates")
        return None
    west, south, east, north = geometry.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        say("geometry", "coordinates must be lon -180..180, lat -90..90 (WGS84, lon first)")
        return None
    box = bounds or WORLD
    if west < box[0] or east > box[2] or south < box[1] or north > box[3]:
        say("geometry", f"lies outside the city's area ({box[0]:.3f},{box[1]:.3f} – {box[2]:.3f},{box[3]:.3f})")
        return None
    return geometry


def _kept(feature: Any) -> dict[str, Any] | None:
    """The geometry as stored: its type and coordinates only (anything else a file adds is dropped)."""
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    return {"type": raw.get("type"), "coordinates": raw.get("coordinates")} if isinstance(raw, dict) else None


def _span_m(geometry: BaseGeometry) -> float:
    """The larger side of the geometry's box in metres (equirectangular: plenty for a plausibility check)."""
    west, south, east, north = geometry.bounds
    across = (east - west) * 111_320 * math.cos(math.radians((south + north) / 2))
    return max(across, (north - south) * 110_574)


def _code(props: dict[str, Any], key: str, say: Say) -> str | None:
    value = props.get(key)
    if not isinstance(value, str) or not CODE.fullmatch(value.strip()):
        say(key, "missing" if value in (None, "") else f"{value!r} is not a code (1–40 letters, digits, '_' or '-')")
        return None
    return value.strip()


def _choice(props: dict[str, Any], key: str, choices: tuple[str, ...], say: Say) -> str | None:
    value = props.get(key)
    if value not in choices:
        say(key, f"must be {' or '.join(choices)}")
        return None
    return str(value)


def _row_sayer(name: str, row: int, problems: Problems) -> Say:
    def say(key: str, message: str) -> None:
        problems.add(name, row, key, message)
    return say


def _properties(feature: Any, say: Say) -> dict[str, Any]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        say("properties", "must be an object")
        return {}
    return props


def read_sites(text: str, bounds: tuple[float, float, float, float] | None, problems: Problems) -> list[dict[str,
                                                                                                               Any]]:
    """The sites: ``{row, code, name, kind, company_code, geometry}`` (geometry: the feature's GeoJSON, checked;
    company_code: a depot's company, which a depot must name and no other kind may)."""
    rows: list[dict[str, Any]] = []
    for row, feature in enumerate(_features(SITES, text, problems), start=1):
        say = _row_sayer(SITES, row, problems)
        props = _properties(feature, say)
        name = props.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            say("name", "must be 1–200 characters")
        geometry = _geometry(feature, ("Polygon", "MultiPolygon"), bounds, say)
        if geometry is not None:
            if not geometry.is_valid:
                say("geometry", f"not a valid polygon: {shapely.is_valid_reason(geometry)}")
            elif geometry.area <= 0:
                say("geometry", "has no area")
            elif _span_m(geometry) > MAX_SITE_SPAN_M:
                say("geometry", f"spans more than {MAX_SITE_SPAN_M / 1000:.0f} km")
        kind = _choice(props, "kind", SITE_KINDS, say)
        rows.append({"row": row, "code": _code(props, "code", say), "name": str(name or "").strip(),
                     "kind": kind, "company_code": _site_company(props, kind, say), "geometry": _kept(feature)})
    _unique_codes(SITES, rows, problems)
    return rows


def _site_company(props: dict[str, Any], kind: str | None, say: Say) -> str | None:
    """A depot's company code (required); any other kind of site belongs to no company (refused)."""
    if kind == "depot":
        return _code(props, "company_code", say)
    if props.get("company_code") not in (None, ""):
        say("company_code", "only a depot (kind depot) belongs to a company")
    return None


def _unique_codes(name: str, rows: list[dict[str, Any]], problems: Problems) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row["code"] in first:
            problems.add(name, row["row"], "code", f"{row['code']!r} repeats row {first[row['code']]}")
        elif row["code"]:
            first[row["code"]] = row["row"]


def _moment(props: dict[str, Any], key: str, say: Say) -> datetime | None:
    value = props.get(key)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        say(key, "must be an ISO 8601 time with its offset, e.g. 2026-01-01T00:00:00+08:00")
        return None
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is past the year 9999 in UTC
        year = 0
    if not YEARS[0] <= year <= YEARS[1]:
        say(key, f"must be a time in the years {YEARS[0]}–{YEARS[1]} (UTC)")
        return None
    return moment


def _hours(props: dict[str, Any], say: Say) -> tuple[str, ...]:
    """The permitted hours: ["HH:MM-HH:MM", …] (a window may pass midnight; none: any hour)."""
    value = props.get("hours", [])
    if not isinstance(value, list) or len(value) > 24:
        say("hours", 'must be a list of at most 24 "HH:MM-HH:MM" windows (empty: any hour)')
        return ()
    for index, window in enumerate(value):
        if not isinstance(window, str) or not HOURS.fullmatch(window):
            say(f"hours.{index}", f'{window!r} is not "HH:MM-HH:MM"')
        elif window[:5] == window[6:] or (window[:5], window[6:]) == ("00:00", "24:00"):
            say(f"hours.{index}", "a window from a time to the same time: leave the list empty for any hour")
        else:
            try:  # what the ingest will read: a window it cannot read would stop every batch
                hour_windows([window])
            except ValueError as exc:
                say(f"hours.{index}", str(exc))
    return tuple(str(w) for w in value)


def _plates(props: dict[str, Any], say: Say) -> tuple[str, ...]:
    value = props.get("plates")
    if not isinstance(value, list) or len(value) > MAX_PLATES:
        say("plates", f"must be a list of at most {MAX_PLATES} plates")
        return ()
    seen: set[str] = set()
    for index, plate in enumerate(value):
        if not isinstance(plate, str) or not PLATE.fullmatch(plate):
            say(f"plates.{index}", f"{plate!r} is not a plate such as 闽E12345")
        elif plate in seen:
            say(f"plates.{index}", f"{plate} is named twice")
        seen.add(str(plate))
    return tuple(p for p in value if isinstance(p, str) and PLATE.fullmatch(p))


def _width(props: dict[str, Any], say: Say) -> float | None:
    value = props.get("corridor_width_m")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 2000:
        say("corridor_width_m", "must be a number of metres, 1–2000")
        return None
    return float(value)


def _corridor(feature: Any, bounds: tuple[float, float, float, float] | None, say: Say) -> None:
    geometry = _geometry(feature, ("LineString",), bounds, say)
    if geometry is None:
        return
    if len({tuple(p) for p in shapely.get_coordinates(geometry)}) < 2 or geometry.length <= 0:
        say("geometry", "a corridor needs at least two distinct points")
    elif _span_m(geometry) > MAX_CORRIDOR_M:
        say("geometry", f"spans more than {MAX_CORRIDOR_M / 1000:.0f} km")


def read_permits(text: str, bounds: tuple[float, float, float, float] | None,
                 problems: Problems) -> list[dict[str, Any]]:
    """The permits: ``{row, code, company_code, source_site, disposal_site, corridor, corridor_width_m,
    valid_from, valid_to, hours, state, plates}`` (corridor: the feature's LineString, checked)."""
    rows: list[dict[str, Any]] = []
    for row, feature in enumerate(_features(PERMITS, text, problems), start=1):
        say = _row_sayer(PERMITS, row, problems)
        props = _properties(feature, say)
        _corridor(feature, bounds, say)
        valid_from, valid_to = _moment(props, "valid_from", say), _moment(props, "valid_to", say)
        if valid_from is not None and valid_to is not None and valid_to <= valid_from:
            say("valid_to", "must come after valid_from")
        rows.append({
            "row": row, "code": _code(props, "code", say), "company_code": _code(props, "company_code", say),
            "source_site": _code(props, "source_site", say), "disposal_site": _code(props, "disposal_site", say),
            "corridor": _kept(feature),
            "corridor_width_m": _width(props, say), "valid_from": valid_from, "valid_to": valid_to,
            "hours": _hours(props, say), "state": _choice(props, "state", PERMIT_STATES, say),
            "plates": _plates(props, say)})
    _unique_codes(PERMITS, rows, problems)
    return rows
