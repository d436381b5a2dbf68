"""The connectors' cache on the bus: the active connectors' configurations, which every inbound order and every
step of a transferred case needs. Read again when a load in this process is observed, and otherwise when the cheap
``configs_version`` changed (asked at most every ``CHECK_EVERY_SECONDS``: a load in another process is seen within
a second)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from city.connectors.commands import LoadConnectors
from city.persistence.read import connectors as reads
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import MessageBus
from engine.service.deps import Deps
from engine.service.observe import CommandObserved
from engine.service.per_deps import kept_for

CHECK_EVERY_SECONDS = 1.0


@dataclass
class ConnectorCaches:
    """The active configurations by code, and the version they were read at; thread-safe."""

    check_every: float = CHECK_EVERY_SECONDS
    _active: dict[str, dict[str, Any]] = field(default_factory=dict)
    _version: Any = None
    _checked: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def active(self, store: CaseStore) -> dict[str, dict[str, Any]]:
        """The active connectors (``{code: row}``, the row as ``reads.config`` gives it)."""
        with self._lock:
            if time.monotonic() - self._checked >= self.check_every:
                version = reads.configs_version(store)
                if version != self._version:
                    self._active = {c: row for c, row in reads.configs(store).items() if row["active"]}
                    self._version = version
                self._checked = time.monotonic()
            return self._active

    def reset(self) -> None:
        """Read the configurations again when next asked."""
        with self._lock:
            self._checked, self._version = float("-inf"), None

    def observe(self, observed: CommandObserved) -> None:
        """The bus's observer: a load made here is seen by the next order at once."""
        if observed.outcome == "ok" and isinstance(observed.command, LoadConnectors):
            self.reset()


_CACHES: dict[int, ConnectorCaches] = {}


def caches_of(deps: Deps) -> ConnectorCaches:
    """``deps``'s connector caches (made on first use when ``install`` did not)."""
    return kept_for(_CACHES, deps, ConnectorCaches)


def install(bus: MessageBus) -> None:
    """Give ``bus`` its connector caches, reset after a load made through it."""
    bus.observers.append(caches_of(bus.deps).observe)
