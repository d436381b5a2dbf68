"""The permits' geometry in metres (渣土运输监管): a local projection about the city and each vehicle's areas —
its permits' corridors (the permitted route buffered by its width) and sites (出土点, 消纳场), its company's
depots (停车场) and the sites of all its company's permits — prepared once per registry snapshot so that a
position costs one point-in-polygon test while the truck keeps to its corridor.

Positions and registry geometries are WGS84 longitude/latitude; distances are metres on an equirectangular
projection about the city's centre (error well under 1 % across a city, nothing to install), so a corridor's
width and a stop's radius are plain Euclidean distances.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import shapely
import shapely.errors
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from city.persistence.read.transport_registry import PermitRow, RegistrySnapshot, SiteRow

log = logging.getLogger(__name__)
T = TypeVar("T")
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
SITE_TOLERANCE_M = 30.0  # a site's polygon grows by this much: GPS error at the gate is not "outside the site"
DAY_MINUTES = 24 * 60


class LocalProjection:
    """Equirectangular metres about (``lon0``, ``lat0``): x east, y north."""

    __slots__ = ("_kx", "_ky", "lat0", "lon0")

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0 = float(lon0)
        self.lat0 = float(lat0)
        self._ky = math.radians(1.0) * EARTH_RADIUS_M  # metres per degree of latitude
        self._kx = self._ky * math.cos(math.radians(self.lat0))  # … of longitude at the centre's latitude

    def to_xy(self, lon: float, lat: float) -> tuple[float, float]:
        """The point in metres from the centre."""
        return (lon - self.lon0) * self._kx, (lat - self.lat0) * self._ky

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The inverse of ``to_xy``."""
        return self.lon0 + x / self._kx, self.lat0 + y / self._ky

    def geometry(self, geojson: dict[str, Any]) -> BaseGeometry:
        """A GeoJSON geometry (WGS84) in metres."""
        return shapely.transform(shape(geojson), self._xy_array)

    def _xy_array(self, coords: Any) -> Any:
        out = coords.copy()
        out[:, 0] = (coords[:, 0] - self.lon0) * self._kx
        out[:, 1] = (coords[:, 1] - self.lat0) * self._ky
        return out


def projection_for(snapshot: RegistrySnapshot) -> LocalProjection:
    """A projection about the centre of the registry's sites and corridors (their bounding box); (0, 0) when the
    registry has no geometry yet."""
    lons: list[float] = []
    lats: list[float] = []
    geometries = [site.geometry for site in snapshot.sites.values()]
    geometries += [permit.corridor for permits in snapshot.permits_by_vehicle.values() for permit in permits]
    for geometry in geometries:
        for lon, lat in _coordinates(geometry.get("coordinates")):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return LocalProjection(0.0, 0.0)
    return LocalProjection((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)


def _coordinates(nested: Any) -> Iterable[tuple[float, float]]:
    if isinstance(nested, list | tuple) and len(nested) >= 2 and all(isinstance(v, int | float) for v in nested[:2]):
        yield float(nested[0]), float(nested[1])
    elif isinstance(nested, list | tuple):
        for item in nested:
            yield from _coordinates(item)


@dataclass(frozen=True, eq=False)
class PermitArea:
    """One active permit as the facts test it: ``corridor`` (the route line buffered by its width, prepared),
    ``sites`` (source and disposal polygons grown by SITE_TOLERANCE_M, prepared), validity (``valid_from``
    included, ``valid_to`` excluded) and ``hours``: windows of local minutes of the day [start, end) — a window
    passing midnight is two — ((0, 1440),) for any hour."""

    permit_id: int
    company_id: int
    corridor: BaseGeometry
    sites: tuple[BaseGeometry, ...]
    valid_from: datetime
    valid_to: datetime
    hours: tuple[tuple[int, int], ...]
    centerline: BaseGeometry  # the route itself: the distance outside the corridor is its distance less the width
    width_m: float
    from_ts: float = field(init=False)
    to_ts: float = field(init=False)
    any_hour: bool = field(init=False)

    def __post_init__(self) -> None:
        # the facts compare epoch seconds, cheaper per position than datetimes
        object.__setattr__(self, "from_ts", self.valid_from.timestamp())
        object.__setattr__(self, "to_ts", self.valid_to.timestamp())
        object.__setattr__(self, "any_hour", any(end - start >= DAY_MINUTES for start, end in self.hours))

    def valid_at(self, ts: float) -> bool:
        """Whether the permit is valid at epoch second ``ts``."""
        return self.from_ts <= ts < self.to_ts

    def in_hours(self, minute_of_day: int) -> bool:
        """Whether a local minute of the day is in the permitted hours."""
        return self.any_hour or any(start <= minute_of_day < end for start, end in self.hours)

    def in_corridor(self, x: float, y: float) -> bool:
        """Whether a point (metres) is inside the corridor."""
        return bool(shapely.contains_xy(self.corridor, x, y))

    def at_site(self, x: float, y: float) -> bool:
        """Whether a point (metres) is inside one of the permit's sites."""
        return any(shapely.contains_xy(site, x, y) for site in self.sites)

    def metres_outside(self, point: Point) -> float:
        """How far a point (metres) is outside the corridor (0 inside)."""
        return max(0.0, float(self.centerline.distance(point)) - self.width_m)


NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, eq=False)
class DepotArea(PermitArea):
    """A company's depot (停车场) among its vehicles' areas: where its trucks park and wait. It permits nothing —
    its validity window is empty, so every permit check passes over it — but being inside it counts as inside the
    corridor and a stop there as a stop at a site. ``corridor`` and ``sites``: the depot's polygon grown by
    SITE_TOLERANCE_M; ``site_id``: the depot's site; ``box``: the polygon's bounds, a cheap test before the
    polygon's own."""

    site_id: int = 0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def contains(self, x: float, y: float) -> bool:
        """Whether a point (metres) is inside the depot."""
        west, south, east, north = self.box
        return west <= x <= east and south <= y <= north and bool(shapely.contains_xy(self.corridor, x, y))


@dataclass(frozen=True, eq=False)
class SiteArea(PermitArea):
    """The sites (出土点, 消纳场) of all a company's permits, whatever their validity now or their state: a stop
    inside one is at a site — a truck waiting at its own construction site before its permit begins, or unloading
    as it ends, is not dumping. It permits nothing (its validity window is empty) and says nothing about the
    corridor. ``corridor`` and ``sites``: the union of the sites' polygons grown by SITE_TOLERANCE_M, prepared."""


def depot_area(site: SiteRow, projection: LocalProjection) -> DepotArea:
    """A depot site's area in metres, prepared."""
    polygon = projection.geometry(site.geometry).buffer(SITE_TOLERANCE_M)
    shapely.prepare(polygon)
    west, south, east, north = polygon.bounds
    return DepotArea(0, int(site.company_id or 0), polygon, (polygon,), NEVER, NEVER, (), polygon.boundary, 0.0,
                     site_id=site.id, box=(float(west), float(south), float(east), float(north)))


def hour_windows(hours: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """"HH:MM-HH:MM" windows as minute windows [start, end); one passing midnight ("22:00-06:00") is split in
    two; an end of "24:00" is the end of the day; a window whose start and end are equal is the whole day; no
    window at all is any hour. ValueError naming the window when one cannot be read."""
    if not hours:
        return ((0, DAY_MINUTES),)
    windows: list[tuple[int, int]] = []
    for text in hours:
        start, end = (_minute(part, text) for part in str(text).split("-", 1)) if "-" in str(text) else (-1, -1)
        if start < 0 or end < 0 or start >= DAY_MINUTES:
            raise ValueError(f"hours window {text!r} is not HH:MM-HH:MM")
        if start == end:
            windows.append((0, DAY_MINUTES))
        elif start < end:
            windows.append((start, end))
        else:  # passes midnight
            windows.extend([(start, DAY_MINUTES), (0, end)])
    return tuple(windows)


def _minute(part: str, text: str) -> int:
    hour, sep, minute = part.strip().partition(":")
    if not sep or not hour.isdigit() or not minute.isdigit() or len(minute) != 2:
        raise ValueError(f"hours window {text!r} is not HH:MM-HH:MM")
    value = int(hour) * 60 + int(minute)
    if int(minute) > 59 or value > DAY_MINUTES:
        raise ValueError(f"hours window {text!r} is not HH:MM-HH:MM")
    return value


def permit_area(permit: PermitRow, sites: dict[int, SiteRow], projection: LocalProjection) -> PermitArea:
    """One permit's area in metres, its geometries prepared."""
    line = projection.geometry(permit.corridor)
    corridor = line.buffer(float(permit.corridor_width_m))
    shapely.prepare(corridor)
    site_shapes = []
    for site_id in (permit.source_site_id, permit.disposal_site_id):
        site = sites.get(site_id)
        if site is not None:
            polygon = projection.geometry(site.geometry).buffer(SITE_TOLERANCE_M)
            shapely.prepare(polygon)
            site_shapes.append(polygon)
    shapely.prepare(line)
    return PermitArea(permit.id, permit.company_id, corridor, tuple(site_shapes), permit.valid_from,
                      permit.valid_to, hour_windows(permit.hours), line, float(permit.corridor_width_m))


def site_areas(snapshot: RegistrySnapshot, projection: LocalProjection) -> dict[int, SiteArea]:
    """Each company's ``SiteArea``: the sites of all its permits in the snapshot, whatever their validity or
    state, as one prepared shape."""
    site_ids: dict[int, set[int]] = {}
    for permits in snapshot.permits_by_vehicle.values():
        for permit in permits:
            site_ids.setdefault(permit.company_id, set()).update((permit.source_site_id, permit.disposal_site_id))
    found = {}
    for company_id, ids in site_ids.items():
        shapes = [projection.geometry(snapshot.sites[i].geometry).buffer(SITE_TOLERANCE_M)
                  for i in sorted(ids) if i in snapshot.sites]
        if shapes:
            union = shapely.union_all(shapes)
            shapely.prepare(union)
            found[company_id] = SiteArea(0, company_id, union, (union,), NEVER, NEVER, (), union.boundary, 0.0)
    return found


def permit_areas(snapshot: RegistrySnapshot, projection: LocalProjection) -> dict[int, tuple[PermitArea, ...]]:
    """Each vehicle's areas by vehicle id: its active permits (revoked permits permit nothing and are left out; a
    permit naming several vehicles is built once), then its company's depots (``DepotArea``, each built once), then
    its company's permits' sites (``SiteArea``). A permit or depot that cannot be built (hours no window reads,
    broken geometry) is logged and left out — its trucks drive "without a permit" rather than the whole ingest
    failing on every batch. Vehicles with none of these are not keys."""
    found = _permits_by_vehicle(snapshot, projection)
    depots: dict[int, list[PermitArea]] = {}
    for site in snapshot.sites.values():
        if site.kind == "depot" and site.company_id is not None:
            depot = _built(f"depot {site.code}", depot_area, site, projection)
            if depot is not None:
                depots.setdefault(site.company_id, []).append(depot)
    company_sites = _built("the permits' sites", site_areas, snapshot, projection) or {}
    companies = {v: p.company_id for v, permits in snapshot.permits_by_vehicle.items() for p in permits}
    companies |= {vehicle.id: vehicle.company_id for vehicle in snapshot.vehicles_by_device.values()}
    for vehicle_id, company_id in companies.items():
        if company_id in depots:
            found.setdefault(vehicle_id, []).extend(depots[company_id])
        if company_id in company_sites:
            found.setdefault(vehicle_id, []).append(company_sites[company_id])
    return {vehicle_id: tuple(areas) for vehicle_id, areas in found.items()}


def _permits_by_vehicle(snapshot: RegistrySnapshot, projection: LocalProjection) -> dict[int, list[PermitArea]]:
    """Each vehicle's active permits' areas (each permit built once)."""
    built: dict[int, PermitArea | None] = {}
    found: dict[int, list[PermitArea]] = {}
    for vehicle_id, permits in snapshot.permits_by_vehicle.items():
        for permit in permits:
            if permit.state != "active":
                continue
            if permit.id not in built:
                built[permit.id] = _built(f"permit {permit.code}", permit_area, permit, snapshot.sites, projection)
            area = built[permit.id]
            if area is not None:
                found.setdefault(vehicle_id, []).append(area)
    return found


def _built(what: str, build: Callable[..., T], *args: Any) -> T | None:
    """``build(*args)``, or None with a warning naming ``what`` when the registry's row cannot be built."""
    try:
        return build(*args)
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.ShapelyError) as exc:
        log.warning("transport registry: %s left out of the GPS checks: %s", what, exc)
        return None
