"""Point → unit grid → responsibility grid → district, over the city stored in the database."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import shapely.geometry

from city.grids.index import GridCell, GridIndex
from engine.persistence.read.city import unit_grids
from engine.persistence.uow import UnitOfWork


class CityLocator:
    """Builds the grid index from the ``unit_grids`` table on first use and keeps it.

    ``reset()`` drops it, so the next lookup sees a newly loaded city. A process that did not load
    the city itself (the web server while ``gridcase city load`` runs elsewhere) sees the new grids
    after a restart.
    """

    def __init__(self, open_uow: Callable[..., UnitOfWork], index: GridIndex | None = None) -> None:
        self._open_uow = open_uow
        self._index = index
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the index; the next lookup reloads the grids."""
        with self._lock:
            self._index = None

    def index(self) -> GridIndex | None:
        """The city's grid index, or None when no city is loaded."""
        with self._lock:
            if self._index is None:
                self._index = self._load()
            return self._index

    def locate(self, lon: float, lat: float) -> dict[str, str] | None:
        """``{"unit_grid", "resp_grid", "district"}`` of a point; None outside coverage or without a city."""
        index = self.index()
        hit = index.locate(lon, lat) if index is not None else None
        return None if hit is None else {"unit_grid": hit.unit_grid, "resp_grid": hit.resp_grid,
                                         "district": hit.district}

    def _load(self) -> GridIndex | None:
        with self._open_uow(read_only=True) as uow:
            rows = unit_grids(uow.store)
        if not rows:
            return None
        return GridIndex([GridCell(code, resp, district, shapely.geometry.shape(json.loads(geometry)))
                          for code, resp, district, geometry in rows])
