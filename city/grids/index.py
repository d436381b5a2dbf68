"""Location → unit grid (单元网格) → responsibility grid (责任网格) → district, with a shapely STRtree.

A point outside every unit grid is reported as outside coverage (``None``), never assigned to the
nearest grid: a report from outside the city must be looked at by a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.errors
import shapely.geometry
from shapely import STRtree
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class GridCell:
    """One unit grid with the codes of the grids it is nested in."""

    code: str
    resp_grid: str
    district: str
    geometry: BaseGeometry


@dataclass(frozen=True)
class GridHit:
    """Where a point is."""

    unit_grid: str
    resp_grid: str
    district: str


class GridIndex:
    """Point-in-polygon lookup over a city's unit grids."""

    def __init__(self, cells: Sequence[GridCell]) -> None:
        if not cells:
            raise ValueError("a city needs at least one unit grid")
        invalid = [c.code for c in cells if not c.geometry.is_valid or c.geometry.is_empty]
        if invalid:
            raise ValueError(f"invalid unit grid geometry: {', '.join(invalid[:10])}")
        self.cells = list(cells)
        self._tree = STRtree([c.geometry for c in self.cells])
        for cell in self.cells:
            shapely.prepare(cell.geometry)

    def locate(self, lon: float, lat: float) -> GridHit | None:
        """The grids containing (lon, lat), or None outside coverage."""
        return self.locate_many([(lon, lat)])[0]

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[GridHit | None]:
        """Vectorised lookup of many (lon, lat) points; on a shared border the first grid wins."""
        coords = np.asarray(points, dtype=float).reshape(-1, 2)
        geoms = shapely.points(coords)
        point_idx, cell_idx = self._tree.query(geoms, predicate="intersects")
        found: list[GridHit | None] = [None] * len(coords)
        for p, c in zip(point_idx.tolist(), cell_idx.tolist(), strict=True):
            if found[p] is None:
                cell = self.cells[c]
                found[p] = GridHit(cell.code, cell.resp_grid, cell.district)
        return found


def cells_from_features(features: Sequence[dict]) -> list[GridCell]:
    """Unit grids from GeoJSON features with ``code``, ``resp_grid`` and ``district`` properties."""
    cells = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        missing = [key for key in ("code", "resp_grid", "district") if not props.get(key)]
        if missing:
            raise ValueError(f"unit grid feature {number}: missing {', '.join(missing)}")
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            raise ValueError(f"unit grid {props['code']}: unreadable geometry ({exc})") from None
        cells.append(GridCell(props["code"], props["resp_grid"], props["district"], geometry))
    return cells


def assign_to_parents(children: Sequence[tuple[str, BaseGeometry]],
                      parents: Sequence[tuple[str, BaseGeometry]]) -> dict[str, str]:
    """Each child code → the parent code whose area contains most of the child.

    Raises ValueError naming a child that no parent overlaps, or any invalid geometry.
    """
    for code, geometry in [*children, *parents]:
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError(f"invalid geometry for grid {code}: {shapely.is_valid_reason(geometry)}")
    tree = STRtree([geometry for _, geometry in parents])
    for _, geometry in parents:
        shapely.prepare(geometry)
    assigned = {}
    for code, geometry in children:
        candidates = tree.query(geometry, predicate="intersects")
        covering = [i for i in candidates.tolist() if parents[i][1].covers(geometry)]
        if covering:  # the usual case, and cheap: fully inside one parent
            assigned[code] = parents[covering[0]][0]
            continue
        overlaps = [(geometry.intersection(parents[i][1]).area, parents[i][0]) for i in candidates.tolist()]
        best = max(overlaps, default=(0.0, ""))
        if best[0] <= 0:
            raise ValueError(f"grid {code} lies outside every enclosing grid")
        assigned[code] = best[1]
    return assigned
