"""The GPS bench's simulated fleet: a registry of ``vehicles`` trucks of one bench company on copies of the demo
city's permits (any hour, valid for years), and their tracks — each truck driving up and down its permit's corridor
at 30 km/h, a position every ``EVERY_S`` seconds — with a few violators: one truck in ``OFF_ROUTE_EVERY`` leaves its
corridor by ~280 m for 5 minutes, one in ``DUMPING_EVERY`` stops for 15 minutes half way (outside both sites)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DEMO_PERMITS = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou" / "transport" / "permits.geojson"
COMPANY = "BENCH01"
EVERY_S = 10
SPEED_MS = 30 / 3.6
OFF_ROUTE_EVERY, DUMPING_EVERY = 97, 89  # one violator of each kind in this many trucks
VIOLATION_STEPS = {"off_route": 30, "dumping": 90}  # 5 and 15 minutes of positions every 10 s
M_PER_DEG_LAT = 110_574.0


def device(number: int) -> str:
    """Truck ``number``'s GPS device id."""
    return f"BENCH-{number:05d}"


def _permits() -> list[dict[str, Any]]:
    return list(json.loads(DEMO_PERMITS.read_text("utf-8"))["features"])


def registry_files(vehicles: int) -> dict[str, str]:
    """companies.csv, vehicles.csv and permits.geojson of the bench fleet (the demo sites are stored already)."""
    permits = _permits()
    plates = [f"闽Z{n:05d}" for n in range(1, vehicles + 1)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["plate", "company_code", "device_id", "active"])
    writer.writerows([plate, COMPANY, device(n), 1] for n, plate in enumerate(plates, start=1))
    features = []
    for index, permit in enumerate(permits):
        properties = {**permit["properties"], "code": f"BENCH-{permit['properties']['code']}", "company_code": COMPANY,
                      "hours": [], "valid_from": "2026-01-01T00:00:00+08:00", "valid_to": "2035-12-31T00:00:00+08:00",
                      "state": "active", "plates": plates[index::len(permits)]}
        features.append({"type": "Feature", "properties": properties, "geometry": permit["geometry"]})
    return {"companies.csv": f"code,name,credit_code,contact,phone,active\n{COMPANY},压测渣土运输有限公司,,,,1\n",
            "vehicles.csv": out.getvalue(),
            "permits.geojson": json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)}


class Route:
    """A corridor's polyline in metres about its first point, walked up and down."""

    def __init__(self, coordinates: list[list[float]]) -> None:
        self.lon0, self.lat0 = coordinates[0]
        self.kx = M_PER_DEG_LAT * math.cos(math.radians(self.lat0))
        points = [((lon - self.lon0) * self.kx, (lat - self.lat0) * M_PER_DEG_LAT) for lon, lat in coordinates]
        self.segments = [(a, b, math.dist(a, b)) for a, b in itertools.pairwise(points) if a != b]
        self.length = sum(s[2] for s in self.segments)

    def at(self, distance: float) -> tuple[float, float, float]:
        """(lon, lat, heading) ``distance`` metres along a back-and-forth walk of the line."""
        lap = distance % (2 * self.length)
        forward = lap <= self.length
        along = lap if forward else 2 * self.length - lap
        last = len(self.segments) - 1
        for index, ((ax, ay), (bx, by), size) in enumerate(self.segments):
            if along <= size or index == last:
                share = min(1.0, along / size)
                x, y = ax + (bx - ax) * share, ay + (by - ay) * share
                heading = math.degrees(math.atan2(bx - ax, by - ay)) % 360
                return (self.lon0 + x / self.kx, self.lat0 + y / M_PER_DEG_LAT,
                        heading if forward else (heading + 180) % 360)
            along -= size
        raise ValueError("a corridor needs two distinct points")


def _violation(number: int, step: int, steps: int) -> str | None:
    """The violation truck ``number`` commits at ``step`` (from a third of the run on), or None."""
    start = steps // 3
    if number % OFF_ROUTE_EVERY == 0 and start <= step < start + VIOLATION_STEPS["off_route"]:
        return "off_route"
    if number % DUMPING_EVERY == 0 and start <= step < start + VIOLATION_STEPS["dumping"]:
        return "dumping"
    return None


def tracks(vehicles: int, steps: int, start: datetime, seed: int = 7) -> list[list[dict[str, Any]]]:
    """Each truck's positions (truck ``n`` at index n - 1), in time order."""
    rng = random.Random(seed)
    routes = [Route(p["geometry"]["coordinates"]) for p in _permits()]
    out = []
    for number in range(1, vehicles + 1):
        route = routes[(number - 1) % len(routes)]
        distance, held = rng.uniform(0, 2 * route.length), None
        fixes = []
        for step in range(steps):
            kind = _violation(number, step, steps)
            lon, lat, heading = route.at(distance)
            speed = round(SPEED_MS * 3.6, 1)
            if kind == "dumping":
                held = held or (lon, lat, heading)
                (lon, lat, heading), speed = held, 0.0
            else:
                distance += SPEED_MS * EVERY_S
                if kind == "off_route":
                    lat += 280 / M_PER_DEG_LAT
            at = start + timedelta(seconds=EVERY_S * step)
            fixes.append({"device_id": device(number), "recorded_at": at.isoformat(), "lon": round(lon, 6),
                          "lat": round(lat, 6), "speed_kmh": speed, "heading": round(heading, 1)})
        out.append(fixes)
    return out


def batches(fleet: list[list[dict[str, Any]]], clients: int, size: int) -> list[list[bytes]]:
    """Per client thread, its JSON bodies: the thread owns every ``clients``-th truck and sends its positions in
    time order (a truck's positions never race each other), ``size`` positions per batch."""
    out = []
    for client in range(clients):
        own = fleet[client::clients]
        stream = [fix for step in range(len(own[0]) if own else 0) for track in own for fix in track[step:step + 1]]
        out.append([json.dumps({"positions": stream[i:i + size], "source": "bench"}).encode()
                    for i in range(0, len(stream), size)])
    return out
