"""The component registry's geometry, without a database: the lookup cell of a point, distances in metres, and
the choice of the nearest component of a class that is still in service.

A component is found by its class within ``within_m`` metres of a report. The registry is bucketed in cells of
``CELL_DEGREES`` (a thousandth of a degree: about 111 m north–south, 101 m east–west at 24°N), so a lookup reads
only the few cells around the point for one class (an index on (class, cell_x, cell_y)), however large the
registry is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass

CELL_DEGREES = 0.001
EARTH_RADIUS_M = 6_371_008.8
# States a census records; only these two are components a report can be about (a removed one is not there).
STATES = ("in_use", "damaged", "stopped", "removed")
SERVING_STATES = ("in_use", "damaged")
EXTERNAL_PREFIX = "external:"  # an owner that is no department of the city: "external:漳州市水务集团"
DEFAULT_SEARCH_M = 50.0


@dataclass(frozen=True)
class Component:
    """One registered component (部件)."""

    id: str
    subtype: str
    lon: float
    lat: float
    owner: str
    state: str = "in_use"
    unit_grid: str | None = None


def search_metres(environ: dict[str, str] | None = None) -> float:
    """How far from a report a component may be (setting ``GRIDCASE_COMPONENT_SEARCH_M``, default 50 m)."""
    raw = (os.environ if environ is None else environ).get("GRIDCASE_COMPONENT_SEARCH_M", "")
    if not raw.strip():
        return DEFAULT_SEARCH_M
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"GRIDCASE_COMPONENT_SEARCH_M must be a number of metres, not {raw!r}") from None
    if not 0 < value <= 5000:
        raise ValueError(f"GRIDCASE_COMPONENT_SEARCH_M must be between 0 and 5000 metres, not {raw!r}")
    return value


def cell_of(lon: float, lat: float) -> tuple[int, int]:
    """The lookup cell holding a point."""
    return math.floor(lon / CELL_DEGREES), math.floor(lat / CELL_DEGREES)


def cells_around(lon: float, lat: float, within_m: float) -> list[tuple[int, int, int, int]]:
    """The boxes (x_min, x_max, y_min, y_max) of the cells that may hold a point within ``within_m`` of (lon, lat):
    one, or two when the circle crosses the antimeridian (±180°: the part beyond it is on the other side)."""
    dlat = math.degrees(within_m / EARTH_RADIUS_M)
    dlon = min(dlat / max(math.cos(math.radians(lat)), 1e-6), 180.0)
    west, east = lon - dlon, lon + dlon
    (_, y0), (_, y1) = cell_of(lon, lat - dlat), cell_of(lon, lat + dlat)
    boxes = [(cell_of(max(west, -180.0), lat)[0], cell_of(min(east, 180.0), lat)[0], y0, y1)]
    if west < -180.0:
        boxes.append((cell_of(west + 360.0, lat)[0], cell_of(180.0, lat)[0], y0, y1))
    if east > 180.0:
        boxes.append((cell_of(-180.0, lat)[0], cell_of(east - 360.0, lat)[0], y0, y1))
    return boxes


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest(candidates: Iterable[Component], subtype: str, lon: float, lat: float,
            within_m: float) -> tuple[Component, float] | None:
    """The nearest in-service component of ``subtype`` within ``within_m`` metres and its distance; of two at the
    same distance the smaller id, so the answer never depends on the order rows come in."""
    best: tuple[float, str, Component] | None = None
    for component in candidates:
        if component.subtype != subtype or component.state not in SERVING_STATES:
            continue
        metres = distance_m(lon, lat, component.lon, component.lat)
        if metres <= within_m and (best is None or (metres, component.id) < best[:2]):
            best = (metres, component.id, component)
    return None if best is None else (best[2], best[0])


def owner_is_department(owner: str) -> bool:
    """Whether the owner is one of the city's departments (else an external owner, ``external:NAME``)."""
    return not owner.startswith(EXTERNAL_PREFIX)
