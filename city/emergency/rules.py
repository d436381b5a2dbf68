"""Emergency rules (应急规则): the ``emergency_at(lon, lat)`` script helper the case lifecycle asks at registration.

A declared emergency (H4's ``emergencies`` table, state active) covers its area (districts and streets) from its
start to its end. ``emergency_at`` answers, for a point, the active emergency whose area holds the point's grid (by
the city's locator) at the step's time — ``{"id", "kind", "level", "signal_kinds"}`` — or None. Its answer is kept
with the step like ``locate``'s (``engine.bpmn.environment.kept``), so a replay gets the same answer after the
emergency has ended. The lifecycle's emergency table (rules/emergency_dispatch.dmn) then decides what changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from city.grids.locator import CityLocator
from city.persistence.read.emergency_rules import ActiveEmergency, active_emergencies
from engine.bpmn.budget.meter import uncharged
from engine.bpmn.environment import kept
from engine.domain.clock import Clock
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import MessageBus
from engine.service.step_reads import step_store

# How long a process keeps the active emergencies before reading them again (one small query): a declaration or
# an end made by any process is seen by every other within this many seconds of the clock.
CHECK_EVERY_SECONDS = 1.0


class EmergencyRules:
    """The active emergencies of the database, read at most every ``check_every`` seconds of ``clock``."""

    def __init__(self, open_uow: Callable[..., UnitOfWork], locate: Callable[..., dict[str, Any] | None],
                 clock: Clock, check_every: float = CHECK_EVERY_SECONDS) -> None:
        self._open_uow = open_uow
        self._locate = locate
        self._clock = clock
        self._check_every = check_every
        self._checked_at: datetime | None = None
        self._active: list[ActiveEmergency] = []
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Read the active emergencies again on the next question (a declaration or an end in this process)."""
        with self._lock:
            self._checked_at = None

    def active(self) -> list[ActiveEmergency]:
        """The emergencies in state active, newest first (from the cache while it is fresh)."""
        with self._lock:
            now = self._clock.now()
            fresh = self._checked_at is not None and 0 <= (now - self._checked_at).total_seconds() < self._check_every
            if not fresh:
                with uncharged(), self._reading() as store:  # gridcase's read, not the asking script's work
                    self._active = active_emergencies(store)
                self._checked_at = now
            return self._active

    def emergency_at(self, lon: float, lat: float) -> dict[str, Any] | None:
        """The active emergency covering the point now, as ``{"id", "kind", "level", "signal_kinds"}``, or None
        (no emergency, or the point outside every emergency's area or outside the city's grids)."""
        emergencies = self.active()
        if not emergencies:  # the usual case: no grid lookup at all
            return None
        where = self._locate(lon, lat)
        if where is None:
            return None
        now = self._clock.now()
        for emergency in emergencies:
            if emergency.covers(now, where.get("district"), where.get("street")):
                return {"id": emergency.id, "kind": emergency.kind, "level": emergency.level,
                        "signal_kinds": list(emergency.signal_kinds)}
        return None

    def _reading(self) -> AbstractContextManager[CaseStore]:
        """The running step's own transaction when a command's step asks (engine.service.step_reads), else a
        read-only unit of work of its own."""
        return step_store(self._open_uow)


def emergency_helpers(rules: EmergencyRules) -> dict[str, Callable[..., Any]]:
    """``emergency_at(lon, lat)`` for scripts, its answer kept with the step (replayed as recorded)."""

    def emergency_at(lon: float, lat: float) -> dict[str, Any] | None:
        """The active emergency covering the point: ``{"id", "kind", "level", "signal_kinds"}`` or None."""
        if isinstance(lon, bool) or isinstance(lat, bool) or not all(isinstance(v, int | float) for v in (lon, lat)):
            raise ValueError("emergency_at() needs numeric lon and lat")
        return rules.emergency_at(float(lon), float(lat))

    return {"emergency_at": kept("emergency_at", emergency_at)}


def city_locator(bus: MessageBus) -> CityLocator:
    """The city's locator ``city.bootstrap`` built for this bus (registered to be reset after a city load), so
    the emergency rules share its grid index; a locator of their own when there is none."""
    for hook in bus.deps.on_city_loaded:
        owner = getattr(hook, "__self__", None)
        if isinstance(owner, CityLocator):
            return owner
    return CityLocator(bus.deps.uow, clock=bus.deps.clock)


def install(bus: MessageBus) -> EmergencyRules:
    """Add ``emergency_at`` to ``bus``'s script helpers, over the city's locator and the bus's clock."""
    locator = city_locator(bus)
    rules = EmergencyRules(bus.deps.uow, lambda lon, lat: locator.locate(lon, lat), bus.deps.clock)
    bus.deps.script_helpers.update(emergency_helpers(rules))
    bus.deps.on_city_loaded.append(rules.reset)
    return rules
