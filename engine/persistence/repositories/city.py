"""The city repository: districts, grids, the catalogue (aspects, subtypes, departments) and the city's people.

A load replaces a whole part of the city in the caller's transaction, so a failed load leaves the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.persistence.repositories.cases import CaseStore

GRID_TABLES = ("unit_grids", "resp_grids", "districts")
CATALOG_TABLES = ("users", "departments", "subtypes", "aspects")


class CityStore:
    """Reads and writes the city's reference data in the unit of work's transaction."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def replace_grids(self, districts: Sequence[tuple[str, str, str]], resp_grids: Sequence[tuple[str, str, str, str]],
                      unit_grids: Sequence[tuple[str, str, str, float, str]]) -> None:
        """Replace every grid: districts (code, name, GeoJSON), responsibility grids (code, name, district,
        GeoJSON) and unit grids (code, resp grid, district, km², GeoJSON)."""
        store = self._store
        for table in GRID_TABLES:
            store._execute(f"DELETE FROM {table}")
        store._executemany("INSERT INTO districts (code, name, geometry) VALUES (?, ?, ?)", districts)
        store._executemany("INSERT INTO resp_grids (code, name, district_code, geometry) VALUES (?, ?, ?, ?)",
                          resp_grids)
        store._executemany(
            "INSERT INTO unit_grids (code, resp_grid_code, district_code, area_km2, geometry) VALUES (?, ?, ?, ?, ?)",
            unit_grids)

    def replace_catalog(self, aspects: Sequence[dict[str, Any]], subtypes: Sequence[dict[str, Any]],
                        departments: Sequence[dict[str, Any]], users: Sequence[tuple[Any, ...]]) -> None:
        """Replace aspects, subtypes, departments and users (username, display name, role, department,
        district, password hash)."""
        store = self._store
        for table in CATALOG_TABLES:
            store._execute(f"DELETE FROM {table}")
        store._executemany("INSERT INTO aspects (code, name_zh, name_en) VALUES (?, ?, ?)",
                          [(a["code"], a["name_zh"], a["name_en"]) for a in aspects])
        store._executemany(
            "INSERT INTO subtypes (code, kind, major_code, major_name_zh, name_zh, name_en, aspect_code,"
            " default_urgency, limit_amount, limit_unit, closing_standard, video_ai)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s["code"], s["kind"], s["major_code"], s["major_name_zh"], s["name_zh"], s["name_en"], s["aspect"],
              s["default_urgency"], s["time_limit"]["amount"], s["time_limit"]["unit"], s["closing_standard_zh"],
              bool(s.get("video_ai"))) for s in subtypes])
        store._executemany(
            "INSERT INTO departments (code, name_zh, name_en, level, district_code) VALUES (?, ?, ?, ?, ?)",
            [(d["code"], d["name_zh"], d["name_en"], d["level"], d.get("district")) for d in departments])
        store._executemany("INSERT INTO users (username, display_name, role, department_code, district_code,"
                          " password_hash) VALUES (?, ?, ?, ?, ?, ?)", users)

    def counts(self) -> dict[str, int]:
        """Rows per table of the city's data (grids and catalogue)."""
        return {table: int(self._store._execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in (*GRID_TABLES, *CATALOG_TABLES)}

    def has_department(self, code: str) -> bool:
        """True when the catalogue has department ``code``."""
        return self._store._execute("SELECT 1 FROM departments WHERE code = ?", (code,)).fetchone() is not None

    def has_district(self, code: str) -> bool:
        """True when the city has district ``code``."""
        return self._store._execute("SELECT 1 FROM districts WHERE code = ?", (code,)).fetchone() is not None

    def subtype_codes(self) -> frozenset[str]:
        """The catalogue's subtype codes."""
        return frozenset(r[0] for r in self._store._execute("SELECT code FROM subtypes").fetchall())
