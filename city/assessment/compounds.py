"""Which residential compound (住宅小区) a point lies in, for the property companies' credit (物业信用).

The database gives the active compounds of active companies whose bounding box holds the point (a few at most);
each candidate's polygon is then tested here, and the smallest compound holding the point wins — a compound drawn
inside another (a phase of an estate, managed by another company) is the one answering for its own ground. Parsed
polygons are kept by compound and last change, so a compound is parsed once until it is loaded again; a registry
load made through this process's bus clears them (``CompoundIndex.reset``), one made elsewhere is seen by the
changed ``updated_at``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

import shapely.errors
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from city.persistence.read.property_credit import CompoundRow, compounds_around
from engine.persistence.repositories.cases import CaseStore

log = logging.getLogger(__name__)
T = TypeVar("T")
POLYGON_TYPES = ("Polygon", "MultiPolygon")


def parse_polygon(geometry: Any) -> BaseGeometry | None:
    """A Polygon or MultiPolygon from its GeoJSON (text or object); None when it is neither or unreadable."""
    try:
        found = json.loads(geometry) if isinstance(geometry, str) else geometry
        if not isinstance(found, dict) or found.get("type") not in POLYGON_TYPES:
            return None
        polygon = shape(found)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.ShapelyError):
        return None
    return None if polygon.is_empty else polygon


def holds(polygon: BaseGeometry, lon: float, lat: float) -> bool:
    """Whether the polygon holds the point (its boundary included: a case on the fence is the compound's)."""
    return bool(polygon.covers(Point(lon, lat)))


def smallest_holding(candidates: Iterable[tuple[T, BaseGeometry]], lon: float, lat: float) -> T | None:
    """The candidate whose polygon holds the point and is smallest (the first of equal ones); None when none
    holds it."""
    best: tuple[float, T] | None = None
    for item, polygon in candidates:
        if holds(polygon, lon, lat) and (best is None or polygon.area < best[0]):
            best = (polygon.area, item)
    return None if best is None else best[1]


class CompoundIndex:
    """The compounds' parsed polygons, by (compound id, last change); thread-safe."""

    def __init__(self) -> None:
        self._polygons: dict[tuple[int, datetime], BaseGeometry | None] = {}
        self._lock = threading.Lock()

    def polygon(self, row: CompoundRow) -> BaseGeometry | None:
        """The compound's polygon (parsed once per change); None, with a warning once, when it is unreadable."""
        key = (row.id, row.updated_at)
        with self._lock:
            if key not in self._polygons:
                self._polygons[key] = parse_polygon(row.polygon_json)
                if self._polygons[key] is None:
                    log.warning("compound %s: its polygon is no readable Polygon/MultiPolygon; no case is its",
                                row.code)
            return self._polygons[key]

    def compound_at(self, store: CaseStore, lon: float, lat: float) -> CompoundRow | None:
        """The smallest active compound of an active company holding (lon, lat), or None."""
        rows = compounds_around(store, lon, lat)
        return smallest_holding(((r, p) for r in rows if (p := self.polygon(r)) is not None), lon, lat)

    def reset(self) -> None:
        """Forget the parsed polygons (after a registry load)."""
        with self._lock:
            self._polygons.clear()
