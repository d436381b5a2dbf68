"""Recorded truck tracks for the transport facts and rules tests: a permit from a construction site to a disposal
site along a 5 km corridor in Zhangzhou (metres about the city's centre), and positions every 10 s."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from city.persistence.read.transport_registry import PermitRow, RegistrySnapshot, SiteRow
from city.transport.facts import Checkpoint, Position, advance
from city.transport.geometry import LocalProjection, PermitArea, permit_areas

ZONE = ZoneInfo("Asia/Shanghai")
PROJECTION = LocalProjection(117.65, 24.51)
VEHICLE = 7
T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Zhangzhou
ROUTE = ((0.0, 0.0), (5000.0, 0.0))


def lonlat(x: float, y: float) -> list[float]:
    """A point given in metres as [lon, lat]."""
    return list(PROJECTION.to_lonlat(x, y))


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """A GeoJSON polygon (WGS84) of a rectangle given in metres."""
    ring = [lonlat(x0, y0), lonlat(x1, y0), lonlat(x1, y1), lonlat(x0, y1), lonlat(x0, y0)]
    return {"type": "Polygon", "coordinates": [ring]}


SITES = {1: SiteRow(1, "S1", "东山路工地", "source", square(-200, -100, 0, 100)),
         2: SiteRow(2, "D1", "西溪消纳场", "disposal", square(5000, -100, 5200, 100)),
         3: SiteRow(3, "S2", "北斗工地", "source", square(-200, 1900, 0, 2100)),
         4: SiteRow(4, "D2", "北郊消纳场", "disposal", square(5000, 1900, 5200, 2100))}


def permit(permit_id: int = 1, route: Sequence[tuple[float, float]] = ROUTE, width: float = 50.0,
           hours: tuple[str, ...] = ("07:00-19:00",), valid_from: datetime = datetime(2026, 1, 1, tzinfo=UTC),
           valid_to: datetime = datetime(2027, 1, 1, tzinfo=UTC), state: str = "active",
           sites: tuple[int, int] = (1, 2)) -> PermitRow:
    """A permit naming the test's vehicle."""
    corridor = {"type": "LineString", "coordinates": [lonlat(x, y) for x, y in route]}
    return PermitRow(permit_id, f"HZ-{permit_id}", 1, sites[0], sites[1], corridor, width, valid_from, valid_to,
                     hours, state, (VEHICLE,))


def areas(*permits: PermitRow) -> tuple[PermitArea, ...]:
    """The vehicle's permit areas as the ingest builds them from a registry snapshot."""
    snapshot = RegistrySnapshot("test", sites=SITES, permits_by_vehicle={VEHICLE: tuple(permits)})
    return permit_areas(snapshot, PROJECTION).get(VEHICLE, ())


def at(seconds: float) -> datetime:
    """T0 plus seconds."""
    return T0 + timedelta(seconds=seconds)


def pos(seconds: float, x: float, y: float, speed: float | None = 36.0) -> Position:
    """A position at T0 + seconds, at a point given in metres."""
    lon, lat = PROJECTION.to_lonlat(x, y)
    return Position(at(seconds), lon, lat, speed)


def drive(start: float, frm: tuple[float, float], to: tuple[float, float], metres_per_s: float = 10.0,
          speed: float | None = 36.0) -> list[Position]:
    """Positions every 10 s from ``frm`` towards ``to`` (``to`` itself left to the next leg)."""
    (x0, y0), (x1, y1) = frm, to
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    steps = max(1, round(length / (metres_per_s * 10)))
    return [pos(start + 10 * i, x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps, speed) for i in range(steps)]


def stand(start: float, x: float, y: float, seconds: float, speed: float | None = 0.0) -> list[Position]:
    """Positions every 10 s at one place for ``seconds`` (a few metres of GPS jitter)."""
    return [pos(start + 10 * i, x + (3 if i % 2 else -3), y + (2 if i % 3 else -2), speed)
            for i in range(int(seconds // 10))]


def run(areas_: Sequence[PermitArea], positions: Sequence[Position], batch: int = 30,
        state: dict[str, Any] | None = None) -> tuple[dict[str, Any] | None, list[Checkpoint]]:
    """The positions advanced in batches as the ingest sends them, the state stored as JSON in between."""
    made: list[Checkpoint] = []
    for start in range(0, len(positions), batch):
        state, checkpoints = advance(state, areas_, positions[start:start + batch], ZONE, PROJECTION)
        state = json.loads(json.dumps(state))
        made += checkpoints
    return state, made
