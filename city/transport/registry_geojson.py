"""The registry's GeoJSON files: ``sites.geojson`` (出土点, 消纳场 and companies' 停车场 polygons) and
``permits.geojson`` (核准: route
corridors as lines with the permit's terms in their properties), each feature checked with shapely: a valid polygon
or a line of at least two distinct points, coordinates in range and inside the city's box, of a plausible size."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import shapely

from city.registry_files_common import Problems, Say, no_repeats, row_sayer
from city.registry_geojson_common import (
    checked_geometry,
    choice,
    kept_geometry,
    properties,
    property_code,
    read_features,
    span_m,
)
from city.transport.geometry import hour_windows
from city.transport.registry_files import PERMITS, PLATE, SITES

SITE_KINDS = ("source", "disposal", "depot")  # a depot (停车场) is one company's: its trucks park there
PERMIT_STATES = ("active", "revoked")
MAX_SITE_SPAN_M = 10_000.0  # a site wider than 10 km is a drawing mistake
MAX_CORRIDOR_M = 300_000.0  # a route longer than 300 km leaves the city
MAX_PLATES = 1_000
# an end of 24:00 is the end of the day; no other end past 23:59 (the facts' hour_windows reads the same)
HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$")
YEARS = (2000, 2999)  # a permit's validity in UTC, as the views' periods (a year past 9999 cannot be stored)


def read_sites(text: str, bounds: tuple[float, float, float, float] | None, problems: Problems) -> list[dict[str,
                                                                                                               Any]]:
    """The sites: ``{row, code, name, kind, company_code, geometry}`` (geometry: the feature's GeoJSON, checked;
    company_code: a depot's company, which a depot must name and no other kind may)."""
    rows: list[dict[str, Any]] = []
    for row, feature in enumerate(read_features(SITES, text, problems), start=1):
        say = row_sayer(SITES, row, problems)
        props = properties(feature, say)
        name = props.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            say("name", "must be 1–200 characters")
        geometry = checked_geometry(feature, ("Polygon", "MultiPolygon"), bounds, say)
        if geometry is not None:
            if not geometry.is_valid:
                say("geometry", f"not a valid polygon: {shapely.is_valid_reason(geometry)}")
            elif geometry.area <= 0:
                say("geometry", "has no area")
            elif span_m(geometry) > MAX_SITE_SPAN_M:
                say("geometry", f"spans more than {MAX_SITE_SPAN_M / 1000:.0f} km")
        kind = choice(props, "kind", SITE_KINDS, say)
        rows.append({"row": row, "code": property_code(props, "code", say), "name": str(name or "").strip(),
                     "kind": kind, "company_code": _site_company(props, kind, say),
                     "geometry": kept_geometry(feature)})
    no_repeats(SITES, rows, "code", problems)
    return rows


def _site_company(props: dict[str, Any], kind: str | None, say: Say) -> str | None:
    """A depot's company code (required); any other kind of site belongs to no company (refused)."""
    if kind == "depot":
        return property_code(props, "company_code", say)
    if props.get("company_code") not in (None, ""):
        say("company_code", "only a depot (kind depot) belongs to a company")
    return None


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
    geometry = checked_geometry(feature, ("LineString",), bounds, say)
    if geometry is None:
        return
    if len({tuple(p) for p in shapely.get_coordinates(geometry)}) < 2 or geometry.length <= 0:
        say("geometry", "a corridor needs at least two distinct points")
    elif span_m(geometry) > MAX_CORRIDOR_M:
        say("geometry", f"spans more than {MAX_CORRIDOR_M / 1000:.0f} km")


def read_permits(text: str, bounds: tuple[float, float, float, float] | None,
                 problems: Problems) -> list[dict[str, Any]]:
    """The permits: ``{row, code, company_code, source_site, disposal_site, corridor, corridor_width_m,
    valid_from, valid_to, hours, state, plates}`` (corridor: the feature's LineString, checked)."""
    rows: list[dict[str, Any]] = []
    for row, feature in enumerate(read_features(PERMITS, text, problems), start=1):
        say = row_sayer(PERMITS, row, problems)
        props = properties(feature, say)
        _corridor(feature, bounds, say)
        valid_from, valid_to = _moment(props, "valid_from", say), _moment(props, "valid_to", say)
        if valid_from is not None and valid_to is not None and valid_to <= valid_from:
            say("valid_to", "must come after valid_from")
        rows.append({
            "row": row, "code": property_code(props, "code", say),
            "company_code": property_code(props, "company_code", say),
            "source_site": property_code(props, "source_site", say),
            "disposal_site": property_code(props, "disposal_site", say),
            "corridor": kept_geometry(feature),
            "corridor_width_m": _width(props, say), "valid_from": valid_from, "valid_to": valid_to,
            "hours": _hours(props, say), "state": choice(props, "state", PERMIT_STATES, say),
            "plates": _plates(props, say)})
    no_repeats(PERMITS, rows, "code", problems)
    return rows
