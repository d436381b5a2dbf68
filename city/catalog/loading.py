"""Load a city into the database: its grids (from GeoJSON features) and its catalogue.

Each load replaces what was there, in one unit of work: a failed load leaves the old city intact.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely.errors
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from city import commands as city_commands
from city.grids.index import assign_to_parents
from engine.domain.errors import InvalidCommand
from engine.domain.passwords import hash_password
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

Feature = dict[str, Any]
# one degree of latitude ≈ 111 km; longitude scaled by the city's latitude when areas are computed
KM_PER_DEG = 111.0


GRID_KINDS = ("unit_grids", "resp_grids", "districts")
CLI_REPAIR_HINT = "--repair makes such geometry valid and reports it"
PACKAGE_REPAIR_HINT = "\"repair\": true in city.json's {what} entry makes such geometry valid and reports it"


def _shapes(features: Sequence[Feature], what: str, repaired: list[str] | None = None,
            hint: str = CLI_REPAIR_HINT) -> list[tuple[str, Any, dict[str, Any]]]:
    """The features' (code, geometry, properties); ``repaired`` (when given) collects "what code: reason" of each
    invalid geometry made valid instead of refused; ``hint`` says how to ask for that."""
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
        if not geometry.is_empty and not geometry.is_valid and repaired is not None:
            reason = shapely.is_valid_reason(geometry)
            geometry = _polygonal(shapely.make_valid(geometry))
            repaired.append(f"{what} {code}: {reason}")
        if geometry.is_empty or not geometry.is_valid:
            fix = "" if repaired is not None else "; " + hint.format(what=what)
            raise InvalidCommand(f"{what} {code}: invalid geometry ({shapely.is_valid_reason(geometry)}){fix}",
                                 field=what)
        west, south, east, north = geometry.bounds
        if west < -180 or east > 180 or south < -90 or north > 90:
            # metres (a projected file) would load as a city of 10^11 km²; grids are longitude/latitude
            corners = f"({west:.0f}, {south:.0f}) … ({east:.0f}, {north:.0f})"
            raise InvalidCommand(f"{what} {code}: coordinates {corners} are not longitude/latitude; the file looks "
                                 "projected (metres): reproject it to WGS 84 (EPSG:4326)", field=what)
        shapes.append((str(code), geometry, props))
    return shapes


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """The areas of a repaired geometry (make_valid may leave lines or points where a ring touched itself)."""
    if isinstance(geometry, shapely.geometry.GeometryCollection):
        areas = shapely.geometry.Polygon | shapely.geometry.MultiPolygon
        parts = [part for part in geometry.geoms if isinstance(part, areas)]
        return shapely.union_all(parts) if parts else shapely.geometry.Polygon()
    return geometry


@dataclass(frozen=True)
class GridRows:
    """A city's grids as stored: districts (code, name, GeoJSON), responsibility grids (code, name, district,
    GeoJSON), unit grids (code, responsibility grid, district, km², GeoJSON); ``repaired`` lists the geometry made
    valid (None: repair was not asked for)."""

    districts: list[tuple[str, str, str]]
    resp_grids: list[tuple[str, str, str, str]]
    unit_grids: list[tuple[str, str, str, float, str]]
    repaired: list[str] | None

    def counts(self) -> dict[str, Any]:
        """``{districts, resp_grids, unit_grids}`` (and ``repaired`` when repair was asked for)."""
        counts: dict[str, Any] = {"districts": len(self.districts), "resp_grids": len(self.resp_grids),
                                  "unit_grids": len(self.unit_grids)}
        if self.repaired is not None:
            counts["repaired"] = self.repaired
        return counts


def grid_rows(unit_grids: Sequence[Feature], resp_grids: Sequence[Feature], districts: Sequence[Feature],
              repair: bool | frozenset[str] = False, hint: str = CLI_REPAIR_HINT, by_parent: bool = False) -> GridRows:
    """Check the features and place them: unit grids go to the responsibility grid that contains most of them (with
    ``by_parent``, to the one their 'parent' property names: the city's own assignment), responsibility grids to
    their district (the districts file's, else their 'district' property). Nothing is written; InvalidCommand names
    the file kind and the feature. ``repair``: True, or the kinds (``GRID_KINDS``) whose invalid geometry is made
    valid and listed."""
    kinds = set(GRID_KINDS) if repair is True else set(repair or ())
    repaired: list[str] | None = [] if kinds else None

    def shapes(features: Sequence[Feature], what: str) -> list[tuple[str, Any, dict[str, Any]]]:
        return _shapes(features, what, repaired if what in kinds else None, hint)

    units, resps, dists = shapes(unit_grids, "unit_grids"), shapes(resp_grids, "resp_grids"), shapes(districts,
                                                                                                       "districts")
    try:
        resp_district = (assign_to_parents([(c, g) for c, g, _ in resps], [(c, g) for c, g, _ in dists])
                         if dists else {c: str(p.get("district") or "") for c, _, p in resps})
        unit_resp = (_named_parents(units, {c for c, _, _ in resps}) if by_parent
                     else assign_to_parents([(c, g) for c, g, _ in units], [(c, g) for c, g, _ in resps]))
    except ValueError as exc:
        raise InvalidCommand(str(exc), field="unit_grids") from None
    if not dists:
        missing = [c for c, d in resp_district.items() if not d]
        if missing:
            raise InvalidCommand(f"resp grid {missing[0]} has no 'district' property and no district file was given",
                                 field="resp_grids")
        dists = [(d, shapely.union_all([g for c, g, _ in resps if resp_district[c] == d]), {"name": d})
                 for d in sorted(set(resp_district.values()))]
    return GridRows(
        [(code, str(p.get("name") or code), _geojson(g)) for code, g, p in dists],
        [(code, str(p.get("name") or code), resp_district[code], _geojson(g)) for code, g, p in resps],
        [(code, unit_resp[code], resp_district[unit_resp[code]], _km2(g), _geojson(g)) for code, g, _ in units],
        repaired)


def _named_parents(units: Sequence[tuple[str, Any, dict[str, Any]]], resp_codes: set[str]) -> dict[str, str]:
    """Each unit grid → the responsibility grid its 'parent' property names; ValueError naming the first unit
    whose parent is missing or no responsibility grid."""
    parents = {}
    for code, _, props in units:
        parent = props.get("parent")
        if parent is None or str(parent) not in resp_codes:
            raise ValueError(f"unit grid {code}: its parent {parent!r} is no responsibility grid (the parent field)")
        parents[code] = str(parent)
    return parents


def write_grids(uow: UnitOfWork, rows: GridRows) -> None:
    """Replace every grid with ``rows`` in the caller's unit of work."""
    uow.city.replace_grids(rows.districts, rows.resp_grids, rows.unit_grids)


def load_city(cmd: city_commands.LoadCity, ctx: HandlerContext) -> dict[str, Any]:
    """Replace the city's grids; unit grids go to the responsibility grid that contains most of them. With
    ``repair``, the result lists each geometry made valid ("unit_grids U7: Self-intersection[…]")."""
    deps: Deps = ctx.deps
    rows = grid_rows(cmd.unit_grids, cmd.resp_grids, cmd.districts, cmd.repair, by_parent=cmd.units_by_parent)
    with deps.uow() as uow:
        write_grids(uow, rows)
    for callback in deps.on_city_loaded:
        callback()
    return rows.counts()


def _geojson(geometry: Any) -> str:
    return json.dumps(shapely.geometry.mapping(geometry), separators=(",", ":"))


def _km2(geometry: BaseGeometry) -> float:
    lat = geometry.centroid.y
    return round(geometry.area * KM_PER_DEG * KM_PER_DEG * math.cos(math.radians(lat)), 6)


def user_rows(users: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Users as stored (username, display name, role, department, district, password hash), each dict carrying
    its ``password``. Users who share a password share its hash: the demo city's people all have the demo
    password, and hashing it 385 times would only slow the seed down."""
    hashes: dict[str, str] = {}
    rows = []
    for user in users:
        password = user["password"]
        if password not in hashes:
            hashes[password] = hash_password(password)
        rows.append((user["username"], user["display_name"], user["role"], user.get("department"),
                     user.get("district"), hashes[password]))
    return rows


def write_catalog(uow: UnitOfWork, aspects: Sequence[dict[str, Any]], subtypes: Sequence[dict[str, Any]],
                  departments: Sequence[dict[str, Any]], users: Sequence[tuple[Any, ...]]) -> None:
    """Replace aspects, subtypes, departments and users (``user_rows``) in the caller's unit of work."""
    uow.city.replace_catalog(aspects, subtypes, departments, users)


def load_catalog(cmd: city_commands.LoadCatalog, ctx: HandlerContext) -> dict[str, int]:
    """Replace aspects, subtypes, departments and users (each user dict carries its ``password``)."""
    rows = user_rows(cmd.users)  # hashed before the transaction: the write lock is not held while hashing
    with ctx.deps.uow() as uow:
        write_catalog(uow, cmd.aspects, cmd.subtypes, cmd.departments, rows)
    return {"aspects": len(cmd.aspects), "subtypes": len(cmd.subtypes), "departments": len(cmd.departments),
            "users": len(cmd.users)}


def city_stats(deps: Deps) -> dict[str, int]:
    """Counts of the city's data as stored."""
    with deps.uow(read_only=True) as uow:
        count = uow.city.counts()
    return {"unit_grids": count["unit_grids"], "resp_grids": count["resp_grids"], "districts": count["districts"],
            "aspects": count["aspects"], "subtypes": count["subtypes"], "departments": count["departments"],
            "users": count["users"]}
