"""What transport supervision keeps per process, and adds to a city's bus beyond its handlers.

The GPS ingest checks thousands of positions a second against the registries and the geofence rules, so neither is
read per batch: ``TransportCaches`` keeps

- the registry snapshot (``registry_snapshot``) with what is built from it once — the local projection, each
  vehicle's permit areas (corridors buffered, sites prepared) and the permits by id — and asks the cheap
  ``registry_version`` at most every ``check_every`` seconds (a load in another process is seen within a second;
  one in this process at once: the bus's observer resets the cache after ``LoadTransportRegistry``);
- the geofence rules of the newest deployed ``transport_alert`` version (its gps_violation DMN), read again when
  a newer version is deployed (checked as often; at once after ``DeployProcesses`` here);
- the UTC days whose gps_positions partition is known to exist (PostgreSQL), so the ingest makes partitions only
  for a day it has not seen;
- the settings: the retention (``GRIDCASE_GPS_RETENTION_DAYS``) and the largest batch (``GRIDCASE_GPS_MAX_BATCH``),
  set by the entry points (``configure``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from city.persistence.read.transport_registry import PermitRow, RegistrySnapshot, registry_snapshot, registry_version
from city.persistence.read.transport_rules import newest_version_id
from city.transport.commands import LoadTransportRegistry
from city.transport.geometry import LocalProjection, PermitArea, permit_areas, projection_for
from city.transport.violation_rules import PROCESS, ViolationRules, deployed_rules_text
from engine.domain.commands import DeployProcesses
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import MessageBus
from engine.service.deps import Deps
from engine.service.observe import CommandObserved
from engine.service.per_deps import kept_for

CHECK_EVERY_SECONDS = 1.0  # how stale a process's registry and rules may be after a change made elsewhere
RETENTION_DAYS = 90
MAX_BATCH = 5000


@dataclass(frozen=True)
class TransportSettings:
    """The GPS settings: how many days positions are kept, how many positions one batch may hold."""

    retention_days: int = RETENTION_DAYS
    max_batch: int = MAX_BATCH


@dataclass(frozen=True)
class Registry:
    """A registry snapshot and what the checks build from it once."""

    snapshot: RegistrySnapshot
    projection: LocalProjection
    areas: dict[int, tuple[PermitArea, ...]]
    permits: dict[int, PermitRow]


@dataclass
class _Kept:
    """One cached value, the version it was read at, and when that version was last confirmed (monotonic)."""

    value: Any = None
    version: Any = None
    checked: float = float("-inf")


def build_registry(snapshot: RegistrySnapshot) -> Registry:
    """The snapshot with its projection (about the registry's centre), permit areas by vehicle and permits by
    id."""
    projection = projection_for(snapshot)
    permits = {p.id: p for rows in snapshot.permits_by_vehicle.values() for p in rows}
    return Registry(snapshot, projection, permit_areas(snapshot, projection), permits)


@dataclass
class TransportCaches:
    """A process's registry, rules, known partitions and settings (see the module's docstring); thread-safe."""

    check_every: float = CHECK_EVERY_SECONDS
    settings: TransportSettings = field(default_factory=TransportSettings)
    partition_days: set[date] = field(default_factory=set)
    _registry: _Kept = field(default_factory=_Kept)
    _rules: _Kept = field(default_factory=_Kept)
    _supervising: _Kept = field(default_factory=_Kept)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def registry(self, store: CaseStore) -> Registry:
        """The registry as of at most ``check_every`` seconds ago, read in ``store``'s transaction when stale."""
        with self._lock:
            kept = self._registry
            if time.monotonic() - kept.checked >= self.check_every or kept.value is None:
                version = registry_version(store)
                if version != kept.version or kept.value is None:
                    kept.value = build_registry(registry_snapshot(store))
                    kept.version = version
                kept.checked = time.monotonic()
            found: Registry = kept.value
            return found

    def rules(self, store: CaseStore) -> tuple[int, ViolationRules] | None:
        """(version id, rules) of the newest deployed transport_alert version; None when none is deployed."""
        with self._lock:
            kept = self._rules
            if time.monotonic() - kept.checked >= self.check_every:
                newest_id = newest_version_id(store, PROCESS)
                if newest_id != kept.version:
                    text = deployed_rules_text(store, newest_id) if newest_id is not None else None
                    kept.value = None if text is None else (newest_id, ViolationRules.from_dmn(text))
                    kept.version = newest_id
                kept.checked = time.monotonic()
            rules: tuple[int, ViolationRules] | None = kept.value
            return rules

    def supervising(self, read: Callable[[], frozenset[str]]) -> frozenset[str]:
        """The city's supervising departments (its package's transport.json), ``read`` again at most every
        ``check_every`` seconds: every page asks (the navigation's 渣土监管 link)."""
        with self._lock:
            kept = self._supervising
            if time.monotonic() - kept.checked >= self.check_every:
                kept.value, kept.checked = read(), time.monotonic()
            found: frozenset[str] = kept.value
            return found

    def reset(self) -> None:
        """Read the registry, the rules, the supervising departments and the partitions again when next asked."""
        with self._lock:
            self._registry.checked = self._rules.checked = self._supervising.checked = float("-inf")
            self.partition_days.clear()

    def observe(self, observed: CommandObserved) -> None:
        """The bus's observer: a registry load or a deploy in this process is seen by the next batch."""
        if observed.outcome == "ok" and isinstance(observed.command, LoadTransportRegistry | DeployProcesses):
            self.reset()


_CACHES: dict[int, TransportCaches] = {}  # id(deps) → its caches, dropped with the deps


def caches_of(deps: Deps) -> TransportCaches:
    """``deps``'s transport caches (made on first use when ``install`` did not)."""
    return kept_for(_CACHES, deps, TransportCaches)


def configure(bus: MessageBus, *, retention_days: int = RETENTION_DAYS, max_batch: int = MAX_BATCH) -> None:
    """Set the GPS settings of ``bus`` (the web app's and the scheduler's, from GRIDCASE_GPS_*)."""
    caches_of(bus.deps).settings = TransportSettings(retention_days, max_batch)


def install(bus: MessageBus) -> TransportCaches:
    """Give ``bus`` its transport caches, reset after a registry load or a deploy made through it."""
    caches = caches_of(bus.deps)
    bus.observers.append(caches.observe)
    bus.deps.on_city_loaded.append(caches.reset)  # a new transport.json
    return caches
