"""Caches a process keeps per ``Deps`` (a city line's registries, its departments, its rules): made on first use and
dropped with the ``Deps`` they belong to, so tests that build many buses never see another bus's cache."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from engine.service.deps import Deps

T = TypeVar("T")
_LOCK = threading.Lock()


def kept_for(table: dict[int, T], deps: Deps, make: Callable[[], T]) -> T:
    """``deps``'s entry of ``table`` (keyed by ``id(deps)``), made with ``make`` on first use and removed when
    ``deps`` is collected."""
    key = id(deps)
    found = table.get(key)
    if found is None:
        with _LOCK:
            found = table.get(key)
            if found is None:
                found = table[key] = make()
                weakref.finalize(deps, table.pop, key, None)
    return found
