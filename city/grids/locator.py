"""Point → unit grid → responsibility grid → district, over the city stored in the database."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime

import shapely.geometry

from city.grids.index import GridCell, GridIndex
from engine.bpmn.budget.meter import uncharged
from engine.domain.clock import Clock, SystemClock
from engine.persistence.read.city import unit_grids, unit_grids_generation
from engine.persistence.uow import UnitOfWork

# How stale a process's grid index may be after another process loaded a city: the stored grids' generation
# (``unit_grids_generation``, 1–5 ms) is read at most this often, on a lookup.
CHECK_EVERY_SECONDS = 1.0


class CityLocator:
    """Builds the grid index from the ``unit_grids`` table on first use and keeps it while the stored grids stay
    the same.

    Every host and process has its own locator: a lookup compares, at most every ``check_every`` seconds of
    ``clock``, the stored grids' generation with the one the index was built from and rebuilds the index when
    they differ, so a ``gridcase city load`` run anywhere is seen within that time, without a restart.
    ``reset()`` (after a load in this process) rebuilds on the next lookup at once. An index handed in ready-built
    is taken to be the stored city until the stored grids change.
    """

    def __init__(self, open_uow: Callable[..., UnitOfWork], index: GridIndex | None = None, *,
                 clock: Clock | None = None, check_every: float = CHECK_EVERY_SECONDS) -> None:
        self._open_uow = open_uow
        self._index = index
        self._prebuilt = index is not None
        self._generation: str | None = None  # of the stored grids the index was built from; None: not known yet
        self._clock = clock or SystemClock()
        self._check_every = check_every
        self._checked_at: datetime | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the index; the next lookup reloads the grids."""
        with self._lock:
            self._index, self._prebuilt, self._generation, self._checked_at = None, False, None, None

    def index(self) -> GridIndex | None:
        """The city's grid index, or None when no city is loaded."""
        with self._lock:
            now = self._clock.now()
            if self._checked_at is not None and 0 <= (now - self._checked_at).total_seconds() < self._check_every:
                return self._index
            self._checked_at = now
            with uncharged():  # reading and indexing the city is gridcase's work, not the script's that asked first
                return self._refresh()

    def _refresh(self) -> GridIndex | None:
        with self._open_uow(read_only=True) as uow:
            # The generation is read before the rows: a load committing in between makes the next check
            # rebuild once more, never keeps stale rows under the new generation.
            generation = unit_grids_generation(uow.store)
            if generation == self._generation:
                return self._index
            if self._prebuilt and self._generation is None:
                self._generation = generation
                return self._index
            rows = unit_grids(uow.store)
        self._index, self._prebuilt, self._generation = self._build(rows), False, generation
        return self._index

    def locate(self, lon: float, lat: float) -> dict[str, str] | None:
        """``{"unit_grid", "resp_grid", "district"}`` of a point; None outside coverage or without a city."""
        index = self.index()
        hit = index.locate(lon, lat) if index is not None else None
        return None if hit is None else {"unit_grid": hit.unit_grid, "resp_grid": hit.resp_grid,
                                         "district": hit.district}

    @staticmethod
    def _build(rows: list[tuple[str, str, str, str]]) -> GridIndex | None:
        if not rows:
            return None
        return GridIndex([GridCell(code, resp, district, shapely.geometry.shape(json.loads(geometry)))
                          for code, resp, district, geometry in rows])
