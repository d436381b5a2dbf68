"""The component (部件) registry repository: writes ``components`` and ``component_loads`` in the caller's
transaction, so a refused load leaves the registry as it was."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from city.routing.registry import Component, cell_of
from engine.persistence.repositories.cases import CaseStore


class ComponentStore:
    """Reads and writes the registry in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are registered already."""
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ", ".join("?" for _ in chunk)
            found.update(r[0] for r in self._store._execute(
                f"SELECT id FROM components WHERE id IN ({marks})", chunk).fetchall())
        return found

    def count(self) -> int:
        """How many components are registered."""
        return int(self._store._execute("SELECT COUNT(*) FROM components").fetchone()[0])

    def clear(self) -> None:
        """Remove every component (a load that replaces the registry)."""
        self._store._execute("DELETE FROM components")

    def remove(self, ids: Sequence[str]) -> None:
        """Remove these components (before they are written again by a merge)."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            self._store._execute(f"DELETE FROM components WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)

    def add(self, components: Sequence[Component], now: datetime) -> None:
        """Insert the components, each with its lookup cell."""
        stamp = self._store.dialect.stamp(now)
        self._store._executemany(
            "INSERT INTO components (id, subtype_code, lon, lat, cell_x, cell_y, owner_code, state, unit_grid,"
            " loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(c.id, c.subtype, c.lon, c.lat, *cell_of(c.lon, c.lat), c.owner, c.state, c.unit_grid, stamp)
             for c in components])

    def record_load(self, now: datetime, actor: str, source: str, mode: str, counts: tuple[int, int, int]) -> int:
        """Keep who loaded which file and what it changed (added, updated, removed); returns the load's number."""
        row = self._store._execute(
            "INSERT INTO component_loads (loaded_at, loaded_by, source, mode, added, updated, removed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (self._store.dialect.stamp(now), actor, source, mode, *counts)).fetchone()
        return int(row[0])
