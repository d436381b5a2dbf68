"""The GPS ingest tests' shared tracks and reads: a test company with its corridor and sites, positions driving,
stopping and the dumping trip, the send and the alerts' rows (tests/integration/test_gps_ingest*.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from api_support import Api

from city.transport.commands import LoadTransportRegistry

SENDER = "admin"  # SEND_GPS_POSITIONS: integration accounts and admins
WEST, EAST, LAT = 117.700, 117.730, 24.560  # the test permit's corridor: ~3 km due east, 60 m either side
DEG_LON_M = 101_300.0  # metres per degree of longitude at LAT
DEG_LAT_M = 110_700.0
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)  # the tracks' start: within the retention


def square(lon: float, lat: float, half_m: float) -> dict[str, Any]:
    dx, dy = half_m / DEG_LON_M, half_m / DEG_LAT_M
    ring = [[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy],
            [lon - dx, lat - dy]]
    return {"type": "Polygon", "coordinates": [ring]}


def registry_files(suffix: str, plates: list[str]) -> dict[str, str]:
    """A company of its own, its trucks (devices GPS-<suffix>-<n>), two sites and a permit along the corridor,
    valid for years at any hour."""
    company = f"TZ{suffix}"
    vehicles = "".join(f"{plate},{company},GPS-{suffix}-{n},1\n" for n, plate in enumerate(plates, start=1))
    sites = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": f"S{suffix}", "name": "测试出土点", "kind": "source"},
         "geometry": square(WEST, LAT, 150)},
        {"type": "Feature", "properties": {"code": f"D{suffix}", "name": "测试消纳场", "kind": "disposal"},
         "geometry": square(EAST, LAT, 150)}]}
    permits = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": f"P{suffix}", "company_code": company, "source_site": f"S{suffix}", "disposal_site": f"D{suffix}",
        "corridor_width_m": 60, "valid_from": "2026-01-01T00:00:00+08:00", "valid_to": "2035-12-31T00:00:00+08:00",
        "hours": [], "state": "active", "plates": plates},
        "geometry": {"type": "LineString", "coordinates": [[WEST, LAT], [EAST, LAT]]}}]}
    return {"companies.csv": "code,name,credit_code,contact,phone,active\n"
                             f"{company},测试渣土运输有限公司{suffix},,,,1\n",
            "vehicles.csv": "plate,company_code,device_id,active\n" + vehicles,
            "sites.geojson": json.dumps(sites, ensure_ascii=False),
            "permits.geojson": json.dumps(permits, ensure_ascii=False)}


def load_registry(api: Api, suffix: str, plates: list[str]) -> None:
    api.bus.handle(LoadTransportRegistry(registry_files(suffix, plates), "admin"))


def fix(device: str, at: datetime, lon: float, lat: float, speed: float) -> dict[str, Any]:
    return {"device_id": device, "recorded_at": at.isoformat(), "lon": round(lon, 6), "lat": round(lat, 6),
            "speed_kmh": speed, "heading": 90.0}


def drive_east(device: str, start: datetime, lon: float, minutes: float, lat: float = LAT,
           every: int = 30) -> tuple[list[dict[str, Any]], float]:
    """Eastwards at 30 km/h along ``lat``, a position every ``every`` seconds; (positions, lon at the end)."""
    step = 30 / 3.6 * every / DEG_LON_M
    fixes = [fix(device, start + timedelta(seconds=every * n), lon + step * n, lat, 30.0)
             for n in range(int(minutes * 60 / every))]
    return fixes, lon + step * len(fixes)


def stop(device: str, start: datetime, lon: float, minutes: float) -> list[dict[str, Any]]:
    return [fix(device, start + timedelta(seconds=30 * n), lon, LAT, 0.0) for n in range(int(minutes * 2))]


def send(api: Api, positions: list[dict[str, Any]], user: str = SENDER) -> dict[str, Any]:
    response = api.post("/gps/positions", user, {"positions": positions, "source": "tests"})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return dict(response.json)


def rows(api: Api, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with api.deps.uow(read_only=True) as uow:
        return [tuple(r) for r in uow.store._execute(statement, params).fetchall()]


def alerts(api: Api, plate: str) -> list[dict[str, Any]]:
    found = rows(api, "SELECT a.id, a.kind, a.case_id, a.review_case_id, a.last_seen_at, a.track_json, a.state,"
                       " a.subtype_code FROM gps_alerts a JOIN transport_vehicles v ON v.id = a.vehicle_id"
                       " WHERE v.plate = ? ORDER BY a.id", plate)
    names = ("id", "kind", "case_id", "review_case_id", "last_seen_at", "track", "state", "subtype")
    return [dict(zip(names, row, strict=True)) for row in found]


def case_row(api: Api, case_id: int) -> tuple[Any, ...]:
    return rows(api, "SELECT process_id, channel, external_id FROM cases WHERE id = ?", case_id)[0]


def dumping_trip(device: str, start: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Along the corridor, a 12-minute stop outside both sites; then (the next batch) 4 more and a drive on."""
    drive, lon = drive_east(device, start, WEST + 0.002, 5)
    stopped = start + timedelta(minutes=5)
    first = drive + stop(device, stopped, lon, 12)
    more = stop(device, stopped + timedelta(minutes=12), lon, 4)
    after, _ = drive_east(device, stopped + timedelta(minutes=16), lon, 3)
    return first, more + after
