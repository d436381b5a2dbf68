"""Load a city into the database: its grids (from GeoJSON features) and its catalogue.

Each load replaces what was there, in one unit of work: a failed load leaves the old city intact.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import shapely.errors
import shapely.geometry

from engine.domain.errors import InvalidCommand
from engine.domain.grid import assign_to_parents
from engine.domain.passwords import hash_password
from engine.service.deps import Deps

Feature = dict[str, Any]
GRID_TABLES = ("unit_grids", "resp_grids", "districts")
CATALOG_TABLES = ("users", "departments", "subtypes", "aspects")
# one degree of latitude ≈ 111 km; longitude scaled by the city's latitude when areas are computed
KM_PER_DEG = 111.0


def _shapes(features: Sequence[Feature], what: str) -> list[tuple[str, Any, dict[str, Any]]]:
    shapes = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = props.get("code")
        if not code:
            raise InvalidCommand(f"{what} feature {number} has no 'code' property", field=what)
        try:
            geometry = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            raise InvalidCommand(f"{what} {code}: unreadable geometry ({exc})", field=what) from None
        if geometry.is_empty or not geometry.is_valid:
            raise InvalidCommand(f"{what} {code}: invalid geometry ({shapely.is_valid_reason(geometry)})", field=what)
        shapes.append((str(code), geometry, props))
    return shapes


def load_city(deps: Deps, unit_grids: Sequence[Feature], resp_grids: Sequence[Feature],
              districts: Sequence[Feature] = ()) -> dict[str, int]:
    """Replace the city's grids; unit grids go to the responsibility grid that contains most of them."""
    units, resps = _shapes(unit_grids, "unit_grids"), _shapes(resp_grids, "resp_grids")
    dists = _shapes(districts, "districts")
    try:
        resp_district = (assign_to_parents([(c, g) for c, g, _ in resps], [(c, g) for c, g, _ in dists])
                         if dists else {c: str(p.get("district") or "") for c, _, p in resps})
        unit_resp = assign_to_parents([(c, g) for c, g, _ in units], [(c, g) for c, g, _ in resps])
    except ValueError as exc:
        raise InvalidCommand(str(exc), field="unit_grids") from None
    if not dists:
        missing = [c for c, d in resp_district.items() if not d]
        if missing:
            raise InvalidCommand(f"resp grid {missing[0]} has no 'district' property and no district file was given",
                                 field="resp_grids")
        dists = [(d, shapely.union_all([g for c, g, _ in resps if resp_district[c] == d]), {"name": d})
                 for d in sorted(set(resp_district.values()))]
    with deps.uow() as uow:
        store = uow.store
        for table in GRID_TABLES:
            store.execute(f"DELETE FROM {table}")
        store.executemany("INSERT INTO districts (code, name, geometry) VALUES (?, ?, ?)",
                          [(c, str(p.get("name") or c), _geojson(g)) for c, g, p in dists])
        store.executemany("INSERT INTO resp_grids (code, name, district_code, geometry) VALUES (?, ?, ?, ?)",
                          [(c, str(p.get("name") or c), resp_district[c], _geojson(g)) for c, g, p in resps])
        store.executemany(
            "INSERT INTO unit_grids (code, resp_grid_code, district_code, area_km2, geometry) VALUES (?, ?, ?, ?, ?)",
            [(c, unit_resp[c], resp_district[unit_resp[c]], _km2(g), _geojson(g)) for c, g, _ in units])
        uow.commit()
    for callback in deps.on_city_loaded:
        callback()
    return {"districts": len(dists), "resp_grids": len(resps), "unit_grids": len(units)}


def _geojson(geometry: Any) -> str:
    return json.dumps(shapely.geometry.mapping(geometry), separators=(",", ":"))


def _km2(geometry: Any) -> float:
    lat = geometry.centroid.y
    return round(geometry.area * KM_PER_DEG * KM_PER_DEG * math.cos(math.radians(lat)), 6)


def load_catalog(deps: Deps, aspects: Sequence[dict[str, Any]], subtypes: Sequence[dict[str, Any]],
                 departments: Sequence[dict[str, Any]], users: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Replace aspects, subtypes, departments and users (each user dict carries its ``password``).

    Users who share a password share its hash: the demo city's people all have the demo password,
    and hashing it 385 times would only slow the seed down.
    """
    hashes: dict[str, str] = {}
    with deps.uow() as uow:
        store = uow.store
        for table in CATALOG_TABLES:
            store.execute(f"DELETE FROM {table}")
        store.executemany("INSERT INTO aspects (code, name_zh, name_en) VALUES (?, ?, ?)",
                          [(a["code"], a["name_zh"], a["name_en"]) for a in aspects])
        store.executemany(
            "INSERT INTO subtypes (code, kind, major_code, major_name_zh, name_zh, name_en, aspect_code,"
            " default_urgency, limit_amount, limit_unit, closing_standard, video_ai)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s["code"], s["kind"], s["major_code"], s["major_name_zh"], s["name_zh"], s["name_en"], s["aspect"],
              s["default_urgency"], s["time_limit"]["amount"], s["time_limit"]["unit"], s["closing_standard_zh"],
              bool(s.get("video_ai"))) for s in subtypes])
        store.executemany(
            "INSERT INTO departments (code, name_zh, name_en, level, district_code) VALUES (?, ?, ?, ?, ?)",
            [(d["code"], d["name_zh"], d["name_en"], d["level"], d.get("district")) for d in departments])
        rows = []
        for user in users:
            password = user["password"]
            if password not in hashes:
                hashes[password] = hash_password(password)
            rows.append((user["username"], user["display_name"], user["role"], user.get("department"),
                         user.get("district"), hashes[password]))
        store.executemany("INSERT INTO users (username, display_name, role, department_code, district_code,"
                          " password_hash) VALUES (?, ?, ?, ?, ?, ?)", rows)
        uow.commit()
    return {"aspects": len(aspects), "subtypes": len(subtypes), "departments": len(departments),
            "users": len(users)}


def city_stats(deps: Deps) -> dict[str, int]:
    """Counts of the city's data as stored."""
    with deps.uow(read_only=True) as uow:
        count = {table: uow.store.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                 for table in (*GRID_TABLES, *CATALOG_TABLES)}
    return {"unit_grids": count["unit_grids"], "resp_grids": count["resp_grids"], "districts": count["districts"],
            "aspects": count["aspects"], "subtypes": count["subtypes"], "departments": count["departments"],
            "users": count["users"]}
