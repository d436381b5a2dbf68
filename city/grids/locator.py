"""Point → unit grid → responsibility grid → district → street and street office, and the nearest registered
component (部件) of a class, over the city stored in the database."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import shapely.geometry

from city.grids.index import GridCell, GridIndex
from city.persistence.read.components import (
    components_in_cells,
    disabled_departments,
    event_subtypes,
    resp_grid_streets,
)
from city.routing.registry import cells_around, nearest, owner_is_department, search_metres
from engine.bpmn.budget.meter import uncharged
from engine.domain.clock import Clock, SystemClock
from engine.persistence.read.city import unit_grids, unit_grids_generation
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.step_reads import step_store

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
                 clock: Clock | None = None, check_every: float = CHECK_EVERY_SECONDS,
                 search_m: float | None = None) -> None:
        self._open_uow = open_uow
        self._index = index
        self._prebuilt = index is not None
        self._generation: str | None = None  # of the stored grids the index was built from; None: not known yet
        self._clock = clock or SystemClock()
        self._check_every = check_every
        self._checked_at: datetime | None = None
        self._lock = threading.Lock()
        self._streets: dict[str, tuple[str, str | None]] = {}  # resp grid → (street, street office)
        self._events: set[str] = set()  # 事件 subtypes: no component to look for
        self._disabled: set[str] = set()  # departments an admin disabled
        self.search_m = search_metres() if search_m is None else search_m

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

    def _reading(self) -> AbstractContextManager[CaseStore]:
        """The running step's own transaction when a command's step asks (engine.service.step_reads), else a
        read-only unit of work of its own."""
        return step_store(self._open_uow)

    def _refresh(self) -> GridIndex | None:
        with self._reading() as store:
            # The generation is read before the rows: a load committing in between makes the next check
            # rebuild once more, never keeps stale rows under the new generation.
            generation = unit_grids_generation(store)
            # streets are few and a package load may move them without touching the unit grids: read every time
            self._streets, self._events = resp_grid_streets(store), event_subtypes(store)
            self._disabled = disabled_departments(store)  # 停用: routed to by no street or component
            if generation == self._generation:
                return self._index
            if self._prebuilt and self._generation is None:
                self._generation = generation
                return self._index
            rows = unit_grids(store)
        self._index, self._prebuilt, self._generation = self._build(rows), False, generation
        return self._index

    def locate(self, lon: float, lat: float, subtype: str | None = None,
               within_m: float | None = None) -> dict[str, Any] | None:
        """``{"unit_grid", "resp_grid", "district"}`` of a point, with ``street`` and ``street_office`` where its
        responsibility grid lies in a street; None outside coverage or without a city. With ``subtype``,
        also ``component``: the nearest in-service component of that class within ``within_m`` metres (default
        ``search_m``, see ``nearest_component``), or None."""
        index = self.index()
        hit = index.locate(lon, lat) if index is not None else None
        if hit is None:
            return None
        where: dict[str, Any] = {"unit_grid": hit.unit_grid, "resp_grid": hit.resp_grid, "district": hit.district}
        if hit.resp_grid in self._streets:  # only a city whose package names streets has them
            where["street"], where["street_office"] = self._streets[hit.resp_grid]
        if subtype is not None:
            where["component"] = self.nearest_component(subtype, lon, lat, within_m)
        if where.get("street_office") in self._disabled:  # a disabled (停用) office: the district rule applies
            where["street_office"] = None
        return where

    def nearest_component(self, subtype: str, lon: float, lat: float,
                          within_m: float | None = None) -> dict[str, Any] | None:
        """The nearest in-service component of ``subtype`` within ``within_m`` metres (default ``search_m``):
        ``{"id", "owner", "department", "distance_m"}`` (``department``: the owner when it is one of the city's
        departments and not disabled, None for an external or disabled owner; metres to one decimal), or None;
        None at once for a 事件 (event) subtype."""
        self.index()  # keeps the subtypes' kinds and the disabled departments current
        if subtype in self._events:  # an event (事件) is routed by its place; no component is looked for
            return None
        with uncharged(), self._reading() as store:
            return self._nearest(store, subtype, lon, lat, within_m)

    def _nearest(self, store: CaseStore, subtype: str, lon: float, lat: float,
                 within_m: float | None) -> dict[str, Any] | None:
        metres = self.search_m if within_m is None else float(within_m)
        candidates = [c for box in cells_around(lon, lat, metres) for c in components_in_cells(store, subtype, box)]
        found = nearest(candidates, subtype, lon, lat, metres)
        if found is None:
            return None
        component, distance = found
        owned = owner_is_department(component.owner) and component.owner not in self._disabled
        department = component.owner if owned else None  # a disabled owner: the district rule applies
        return {"id": component.id, "owner": component.owner, "department": department,
                "distance_m": round(distance, 1)}

    @staticmethod
    def _build(rows: list[tuple[str, str, str, str]]) -> GridIndex | None:
        if not rows:
            return None
        return GridIndex([GridCell(code, resp, district, shapely.geometry.shape(json.loads(geometry)))
                          for code, resp, district, geometry in rows])
