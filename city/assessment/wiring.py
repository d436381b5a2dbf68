"""What the assessment lines add to a city's bus beyond their handlers: the rounds' and inspections' script helpers
and step hooks, the property companies' credit hook, and the process's cache of the managing departments (every
page asks: the navigation's 考评 link)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from city.assessment import credit, inspection_hooks, round_hooks
from engine.service.bus import MessageBus
from engine.service.deps import Deps
from engine.service.per_deps import kept_for

CHECK_EVERY_SECONDS = 1.0  # how stale the managing departments may be after a city load in another process


@dataclass
class AssessmentCaches:
    """A process's managing departments (its city package's assessment.json); thread-safe."""

    check_every: float = CHECK_EVERY_SECONDS
    _managing: frozenset[str] = frozenset()
    _checked: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def managing(self, read: Callable[[], frozenset[str]]) -> frozenset[str]:
        """The city's managing departments, ``read`` again at most every ``check_every`` seconds."""
        with self._lock:
            if time.monotonic() - self._checked >= self.check_every:
                self._managing, self._checked = read(), time.monotonic()
            return self._managing

    def reset(self) -> None:
        """Read the managing departments again when next asked (a city load: a new assessment.json)."""
        with self._lock:
            self._checked = float("-inf")


_CACHES: dict[int, AssessmentCaches] = {}  # id(deps) → its caches, dropped with the deps


def caches_of(deps: Deps) -> AssessmentCaches:
    """``deps``'s assessment caches (made on first use when ``install`` did not)."""
    return kept_for(_CACHES, deps, AssessmentCaches)


def install(bus: MessageBus) -> None:
    """Add the assessment lines' helpers and hooks to ``bus``, and its caches, reset after a city load."""
    round_hooks.install(bus)
    inspection_hooks.install(bus)
    credit.install(bus)
    bus.deps.on_city_loaded.append(caches_of(bus.deps).reset)  # a new assessment.json
