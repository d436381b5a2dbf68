"""The loaded city and its catalogues: grids with their polygons, districts, streets (responsibility grids),
subtypes, aspects, departments and the people who work the cases."""

from __future__ import annotations

import hashlib
from typing import Any

from engine.persistence.repositories.cases import CaseStore

# level → (table, the columns read as code, name, district, responsibility grid)
GRID_TABLES = {"district": ("districts", "code, name, NULL, NULL"),
               "resp": ("resp_grids", "code, name, district_code, NULL"),
               "unit": ("unit_grids", "code, code, district_code, resp_grid_code")}
SUBTYPE_COLUMNS = ("code", "kind", "major_code", "major_name_zh", "name_zh", "name_en", "aspect_code",
                   "limit_amount", "limit_unit", "video_ai")
DEPARTMENT_COLUMNS = ("code", "name_zh", "name_en", "level", "district_code")
USER_COLUMNS = ("username", "display_name", "role", "department_code", "district_code")


def unit_grids(store: CaseStore) -> list[tuple[str, str, str, str]]:
    """Every unit grid as (code, responsibility grid, district, GeoJSON geometry text), in code order."""
    rows: list[tuple[str, str, str, str]] = store._execute(
        "SELECT code, resp_grid_code, district_code, geometry FROM unit_grids ORDER BY code").fetchall()
    return rows


def unit_grids_generation(store: CaseStore) -> str:
    """A token that changes whenever a committed write changes the unit grids: another process compares it with the
    one its grid index was built from (``city.grids.locator``), so a city load elsewhere is seen without a restart.

    PostgreSQL: the row count and the range of the rows' creating transaction ids (``xmin``). A load replaces every
    row in one transaction, so any load, and any other write, moves them; reading them scans only the row headers
    (about 1 ms for the demo city's 4226 grids). SQLite has no such column and a load that deletes every row
    numbers the new ones from 1 again, so the token there is a sha256 of the rows themselves (about 5 ms).
    """
    if not store.dialect.sqlite:
        count, low, high = store._execute(
            "SELECT COUNT(*), MIN(xmin::text::bigint), MAX(xmin::text::bigint) FROM unit_grids").fetchone()
        return f"xmin:{count}:{low}:{high}"
    digest = hashlib.sha256()
    for row in store._execute("SELECT code, resp_grid_code, district_code, geometry FROM unit_grids ORDER BY code"):
        digest.update("\x1f".join(row).encode())
        digest.update(b"\x1e")
    return f"sha256:{digest.hexdigest()}"


def grid_rows(store: CaseStore, level: str) -> list[tuple[Any, ...]]:
    """The grids of a level (``GRID_TABLES``) as (code, name, district, responsibility grid, geometry text)."""
    table, columns = GRID_TABLES[level]
    rows: list[tuple[Any, ...]] = store._execute(f"SELECT {columns}, geometry FROM {table} ORDER BY code").fetchall()
    return rows


def street_names(store: CaseStore) -> dict[str, str]:
    """Responsibility grid (street) code → name."""
    return {r[0]: r[1] for r in store._execute("SELECT code, name FROM resp_grids").fetchall()}


def districts(store: CaseStore) -> list[tuple[str, str]]:
    """The districts as (code, name), in code order."""
    rows: list[tuple[str, str]] = store._execute("SELECT code, name FROM districts ORDER BY code").fetchall()
    return rows


def subtypes(store: CaseStore) -> list[dict[str, Any]]:
    """The problem categories (``SUBTYPE_COLUMNS``), in code order."""
    rows = store._execute(f"SELECT {', '.join(SUBTYPE_COLUMNS)} FROM subtypes ORDER BY code").fetchall()
    return [dict(zip(SUBTYPE_COLUMNS, row, strict=True)) for row in rows]


def aspect_subtypes(store: CaseStore, aspect: str) -> list[str]:
    """The codes of an aspect's subtypes, in order (empty when there is no such aspect)."""
    return [r[0] for r in store._execute("SELECT code FROM subtypes WHERE aspect_code = ? ORDER BY code",
                                        (aspect,)).fetchall()]


def subtype_exists(store: CaseStore, code: str) -> bool:
    """Whether the subtype is in the catalogue."""
    return store._execute("SELECT 1 FROM subtypes WHERE code = ?", (code,)).fetchone() is not None


def aspects(store: CaseStore) -> list[dict[str, str]]:
    """The management aspects: ``{code, name_zh, name_en}`` by code."""
    rows = store._execute("SELECT code, name_zh, name_en FROM aspects ORDER BY code").fetchall()
    return [{"code": r[0], "name_zh": r[1], "name_en": r[2]} for r in rows]


def departments(store: CaseStore) -> list[dict[str, Any]]:
    """The departments (``DEPARTMENT_COLUMNS``), in code order."""
    rows = store._execute(f"SELECT {', '.join(DEPARTMENT_COLUMNS)} FROM departments ORDER BY code").fetchall()
    return [dict(zip(DEPARTMENT_COLUMNS, row, strict=True)) for row in rows]


def users(store: CaseStore) -> list[dict[str, Any]]:
    """The people (``USER_COLUMNS``, no password hash), in username order."""
    rows = store._execute(f"SELECT {', '.join(USER_COLUMNS)} FROM users ORDER BY username").fetchall()
    return [dict(zip(USER_COLUMNS, row, strict=True)) for row in rows]
