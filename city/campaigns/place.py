"""Whether a finding's point is in its grid: inside the unit grid's polygon or within a tolerance of its edge (a
phone's fix is off by tens of metres; a finding on the grid's boundary street belongs to it)."""

from __future__ import annotations

import json
import math

import shapely.geometry
from shapely.ops import nearest_points

TOLERANCE_M = 100.0
EARTH_RADIUS_M = 6_371_000.0


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distance_outside(geometry_text: str, lon: float, lat: float) -> float:
    """How far (metres) the point lies outside the GeoJSON geometry; 0 inside."""
    shape = shapely.geometry.shape(json.loads(geometry_text))
    point = shapely.geometry.Point(lon, lat)
    if shape.covers(point):
        return 0.0
    nearest = nearest_points(shape, point)[0]
    return metres_between(lon, lat, nearest.x, nearest.y)


def in_grid(geometry_text: str, lon: float, lat: float, tolerance_m: float = TOLERANCE_M) -> bool:
    """True when the point is in the grid or within ``tolerance_m`` of it."""
    return distance_outside(geometry_text, lon, lat) <= tolerance_m
