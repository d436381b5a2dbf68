"""Transport test data written straight into a migrated database (SQLite or PostgreSQL) for the transport views'
integration and browser tests: a company's registry (companies, vehicles, sites, a permit with its corridor), recorded
positions (PostgreSQL's daily partitions made first), vehicles' track states and alerts. Rows only: what the pages
read, not how the ingest would have made them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# A corridor from a source site west of the centre to a disposal site east of it (the demo city, around 117.65E)
SOURCE_SITE = [[117.600, 24.500], [117.604, 24.500], [117.604, 24.504], [117.600, 24.504], [117.600, 24.500]]
DISPOSAL_SITE = [[117.700, 24.500], [117.704, 24.500], [117.704, 24.504], [117.700, 24.504], [117.700, 24.500]]
CORRIDOR = [[117.602, 24.502], [117.650, 24.502], [117.702, 24.502]]


@dataclass(frozen=True)
class Fleet:
    """The ids of what ``fleet`` wrote: companies by code, vehicles by plate, the permit."""

    companies: dict[str, int]
    vehicles: dict[str, int]
    permit_id: int


def _ts(engine: Engine, moment: datetime) -> Any:
    """A time as the database keeps it (SQLite: naive UTC text, as SQLAlchemy writes it)."""
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds") if engine.dialect.name == "sqlite" else utc


def _insert(conn: sa.Connection, table: str, row: dict[str, Any]) -> int | None:
    columns = ", ".join(row)
    names = ", ".join(f":{name}" for name in row)
    returning = " RETURNING id" if "id" not in row and table not in ("transport_permit_vehicles",
                                                                      "vehicle_track_states") else ""
    result = conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({names}){returning}"), row)
    return int(result.scalar_one()) if returning else None


def _polygon(ring: list[list[float]]) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def fleet(engine: Engine, now: datetime, plates: dict[str, Sequence[str]]) -> Fleet:
    """Companies (code → their vehicles' plates, device ``DEV-<plate>``), a source and a disposal site (codes
    ``SRC-``/``DSP-`` and the first company's), and one active permit ``P-<code>`` of the first company (corridor
    ``CORRIDOR``, 100 m wide, valid a day either side of ``now``) naming its vehicles."""
    companies: dict[str, int] = {}
    vehicles: dict[str, int] = {}
    stamp, first = _ts(engine, now), next(iter(plates))
    with engine.begin() as conn:
        for code, owned in plates.items():
            companies[code] = _insert(conn, "transport_companies", {
                "code": code, "name": f"{code} 渣土运输有限公司", "credit_code": f"91350600{code}", "contact": "林工",
                "phone": "0596-1234567", "active": True, "updated_at": stamp}) or 0
            for plate in owned:
                vehicles[plate] = _insert(conn, "transport_vehicles", {
                    "plate": plate, "company_id": companies[code], "device_id": f"DEV-{plate}", "active": True,
                    "updated_at": stamp}) or 0
        sites = [_insert(conn, "transport_sites", {"code": code, "name": name, "kind": kind,
                                                   "geometry_json": _polygon(ring), "updated_at": stamp}) or 0
                 for code, name, kind, ring in ((f"SRC-{first}", "西区工地", "source", SOURCE_SITE),
                                                (f"DSP-{first}", "东区消纳场", "disposal", DISPOSAL_SITE))]
        permit_id = _insert(conn, "transport_permits", {
            "code": f"P-{first}", "company_id": companies[first], "source_site_id": sites[0],
            "disposal_site_id": sites[1], "corridor_json": json.dumps({"type": "LineString", "coordinates": CORRIDOR}),
            "corridor_width_m": 100.0, "valid_from": _ts(engine, now - timedelta(days=1)),
            "valid_to": _ts(engine, now + timedelta(days=1)), "hours_json": json.dumps(["06:00-22:00"]),
            "state": "active", "updated_at": stamp}) or 0
        for plate in plates[first]:
            _insert(conn, "transport_permit_vehicles", {"permit_id": permit_id, "vehicle_id": vehicles[plate]})
    return Fleet(companies, vehicles, permit_id)


def _partitions(conn: sa.Connection, days: set[date]) -> None:
    """PostgreSQL's daily partitions of ``gps_positions`` for ``days`` (UTC)."""
    for day in sorted(days):
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        end = start + timedelta(days=1)
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS gps_positions_p{day:%Y%m%d} PARTITION OF gps_positions"
                             f" FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"))


def positions(engine: Engine, plate: str, vehicle_id: int,
              points: Sequence[tuple[datetime, float, float, float | None]]) -> None:
    """Record the vehicle's positions (time, lon, lat, speed km/h) as its device ``DEV-<plate>`` sent them."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            _partitions(conn, {at.astimezone(UTC).date() for at, *_ in points})
        conn.execute(sa.text(
            "INSERT INTO gps_positions (device_id, recorded_at, vehicle_id, lon, lat, speed_kmh, heading, received_at)"
            " VALUES (:device, :at, :vehicle, :lon, :lat, :speed, 90.0, :at)"),
            [{"device": f"DEV-{plate}", "at": _ts(engine, at), "vehicle": vehicle_id, "lon": lon, "lat": lat,
              "speed": speed} for at, lon, lat, speed in points])


def track_state(engine: Engine, vehicle_id: int, at: datetime, lon: float, lat: float) -> None:
    """The vehicle's newest checked position (its track state; facts left empty)."""
    with engine.begin() as conn:
        _insert(conn, "vehicle_track_states", {"vehicle_id": vehicle_id, "last_at": _ts(engine, at), "last_lon": lon,
                                               "last_lat": lat, "facts_json": "{}", "updated_at": _ts(engine, at)})


def drive(engine: Engine, plate: str, vehicle_id: int, start: datetime, count: int, every_s: int = 10,
          speed: float = 36.0) -> list[tuple[datetime, float, float, float | None]]:
    """``count`` positions along ``CORRIDOR``'s latitude from its west end eastwards, one every ``every_s``
    seconds, recorded with the track state at the last; the points."""
    step = (CORRIDOR[-1][0] - CORRIDOR[0][0]) / max(1, count - 1)
    points = [(start + timedelta(seconds=i * every_s), round(CORRIDOR[0][0] + i * step, 6), CORRIDOR[0][1], speed)
              for i in range(count)]
    positions(engine, plate, vehicle_id, points)
    track_state(engine, vehicle_id, points[-1][0], points[-1][1], points[-1][2])
    return points


def alert(engine: Engine, vehicle_id: int, company_id: int, kind: str, started_at: datetime, *,
          lon: float = 117.65, lat: float = 24.51, state: str = "open", permit_id: int | None = None,
          track: dict[str, Any] | None = None) -> int:
    """An alert of ``kind`` for the vehicle whose episode began at ``started_at``; its id."""
    with engine.begin() as conn:
        return _insert(conn, "gps_alerts", {
            "alert_key": f"{vehicle_id}:{kind}:{started_at.astimezone(UTC).isoformat()}", "vehicle_id": vehicle_id,
            "company_id": company_id, "permit_id": permit_id, "kind": kind, "rule_id": f"rule_{kind}",
            "subtype_code": "0809" if kind == "suspected_dumping" else None,
            "severity": "high" if kind in ("suspected_dumping", "no_permit") else "medium",
            "started_at": _ts(engine, started_at), "last_seen_at": _ts(engine, started_at + timedelta(minutes=5)),
            "lon": lon, "lat": lat, "facts_json": json.dumps({"stop_minutes": 12.5, "stop_at_site": False}),
            "track_json": json.dumps(track or {
                "type": "Feature", "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.001, lat]]},
                "properties": {"times": [started_at.isoformat()] * 2}}),
            "state": state, "review_case_id": None, "case_id": None, "created_at": _ts(engine, started_at)}) or 0


def registry_files(suffix: str, plates: Sequence[str], start: datetime) -> dict[str, str]:
    """``LoadTransportRegistry``'s files: company ``TV<suffix>``, its trucks (devices ``GV-<suffix>-<n>``), the
    source and disposal sites at ``CORRIDOR``'s ends and a permit along it (100 m wide, any hour, valid from a day
    before ``start`` for a year)."""
    company = f"TV{suffix}"
    sites = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": f"SV{suffix}", "name": "西区工地", "kind": "source"},
         "geometry": json.loads(_polygon(SOURCE_SITE))},
        {"type": "Feature", "properties": {"code": f"DV{suffix}", "name": "东区消纳场", "kind": "disposal"},
         "geometry": json.loads(_polygon(DISPOSAL_SITE))}]}
    permits = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": f"PV{suffix}", "company_code": company, "source_site": f"SV{suffix}", "disposal_site": f"DV{suffix}",
        "corridor_width_m": 100, "valid_from": (start - timedelta(days=1)).isoformat(),
        "valid_to": (start + timedelta(days=365)).isoformat(), "hours": [], "state": "active", "plates": list(plates)},
        "geometry": {"type": "LineString", "coordinates": CORRIDOR}}]}
    vehicles = "".join(f"{plate},{company},GV-{suffix}-{n},1\n" for n, plate in enumerate(plates, start=1))
    return {"companies.csv": f"code,name,credit_code,contact,phone,active\n{company},渣土运输{suffix},,,,1\n",
            "vehicles.csv": "plate,company_code,device_id,active\n" + vehicles,
            "sites.geojson": json.dumps(sites, ensure_ascii=False),
            "permits.geojson": json.dumps(permits, ensure_ascii=False)}


def dumping_trip(device: str, start: datetime) -> list[dict[str, Any]]:
    """``POST /gps/positions``' positions: out of the source site east along ``CORRIDOR`` for 5 minutes at 36 km/h
    (a position every 30 s), then a 12-minute stop half way, outside both sites (suspected dumping)."""
    lat, lon, out = CORRIDOR[0][1], CORRIDOR[0][0] + 0.003, []
    for n in range(10):
        out.append({"device_id": device, "recorded_at": (start + timedelta(seconds=30 * n)).isoformat(),
                    "lon": round(lon + n * 0.0033, 6), "lat": lat, "speed_kmh": 36.0, "heading": 90.0})
    stop_lon = round(lon + 10 * 0.0033, 6)
    for n in range(24):
        out.append({"device_id": device, "recorded_at": (start + timedelta(minutes=5, seconds=30 * n)).isoformat(),
                    "lon": stop_lon, "lat": lat, "speed_kmh": 0.0, "heading": 90.0})
    return out
