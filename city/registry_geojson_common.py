"""The GeoJSON cells both registries read (the transport registry's sites and permits, the assessment registry's
objects): the file's FeatureCollection (JSON, bounded nesting), a feature's properties, codes and choices, and its
geometry checked with shapely (well formed, finite, inside the city's box) and sized."""

from __future__ import annotations

import json
import math
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from city.registry_files_common import CODE, MAX_DEPTH, MAX_FEATURES, WORLD, Box, Problems, Say, code_problem


def read_features(name: str, text: str, problems: Problems) -> list[dict[str, Any]]:
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
    found: list[dict[str, Any]] = document["features"]
    if len(found) > MAX_FEATURES:
        problems.add(name, None, "file", f"at most {MAX_FEATURES} features")
        return []
    return found


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


def checked_geometry(feature: Any, kinds: tuple[str, ...], bounds: Box | None, say: Say) -> BaseGeometry | None:
    """The feature's geometry as shapely's, when it is one of ``kinds``, well formed and inside ``bounds``."""
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(raw, dict) or raw.get("type") not in kinds:
        say("geometry", f"must be a {' or '.join(kinds)}")
        return None
    try:
        found = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.ShapelyError) as exc:
        say("geometry", f"malformed coordinates: {str(exc).strip()[:200]}")
        return None
    coordinates = shapely.get_coordinates(found)
    if len(coordinates) == 0 or not all(math.isfinite(float(v)) for v in coordinates.ravel()):
        say("geometry", "needs finite coordinates")
        return None
    west, south, east, north = found.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        say("geometry", "coordinates must be lon -180..180, lat -90..90 (WGS84, lon first)")
        return None
    box = bounds or WORLD
    if west < box[0] or east > box[2] or south < box[1] or north > box[3]:
        say("geometry", f"lies outside the city's area ({box[0]:.3f},{box[1]:.3f} – {box[2]:.3f},{box[3]:.3f})")
        return None
    return found


def kept_geometry(feature: Any) -> dict[str, Any] | None:
    """The geometry as stored: its type and coordinates only (anything else a file adds is dropped)."""
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    return {"type": raw.get("type"), "coordinates": raw.get("coordinates")} if isinstance(raw, dict) else None


def span_m(found: BaseGeometry) -> float:
    """The larger side of the geometry's box in metres (equirectangular: plenty for a plausibility check)."""
    west, south, east, north = found.bounds
    across = (east - west) * 111_320 * math.cos(math.radians((south + north) / 2))
    return max(across, (north - south) * 110_574)


def property_code(props: dict[str, Any], key: str, say: Say) -> str | None:
    """The property ``key`` as a code (stripped); a problem when missing or not a code."""
    value = props.get(key)
    if not isinstance(value, str) or not CODE.fullmatch(value.strip()):
        say(key, "missing" if value in (None, "") else code_problem(value))
        return None
    return value.strip()


def choice(props: dict[str, Any], key: str, choices: tuple[str, ...], say: Say) -> str | None:
    """The property ``key`` when it is one of ``choices``; a problem naming them when not."""
    value = props.get(key)
    if value not in choices:
        say(key, f"must be {' or '.join(choices)}")
        return None
    return str(value)


def properties(feature: Any, say: Say) -> dict[str, Any]:
    """The feature's properties; a problem (and none) when they are not an object."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        say("properties", "must be an object")
        return {}
    return props
