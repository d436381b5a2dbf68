"""``gridcase bench burst``: a typhoon burst — reports arrive through the API as fast as they are answered, every one
located, routed and dispatched under the emergency rules (docs/emergency.md).

The production layout on one machine: a fresh database (a PostgreSQL schema of its own, dropped after, or a SQLite
file), the demo city seeded and its models deployed, a typhoon declared over the whole city (``DeclareEmergency``),
gunicorn with N workers (``gridcase serve --prod``) and two ``gridcase scheduler`` processes. Client threads POST the
reports (hazard subtypes at random points inside the unit grids, unique external ids, about 1 % sent twice on purpose)
and the bench polls the case facts until every accepted report has a dispatched case (or a grace period ends).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import shapely.geometry

from bench.web_bench import ROOT, _call, _free_port, _gridcase, _wait_up
from city.bootstrap import bootstrap
from city.emergency.commands import DeclareEmergency
from city.persistence.read.burst import BurstCounts, burst_counts, undispatched
from engine.domain.commands import DeployProcesses
from engine.persistence.repositories.bench_tables import postgres_schema
from engine.service.deploy import read_sources

CITY = ROOT / "config" / "city" / "zhangzhou"
SEAT = "seat01"
# Typhoon hazards the emergency table files and dispatches by rule (rules/emergency_dispatch.dmn).
HAZARDS = ("0906", "0907", "0910", "0905", "0109", "0808", "0401", "0305", "0908", "0909")
DUPLICATE_SHARE = 0.01


def _points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    """``count`` random points, each inside a random unit grid of the demo city."""
    features = json.loads((CITY / "unit_grids.geojson").read_text("utf-8"))["features"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    points = []
    for _ in range(count):
        shape = rng.choice(shapes)
        west, south, east, north = shape.bounds
        for _ in range(50):
            candidate = shapely.geometry.Point(rng.uniform(west, east), rng.uniform(south, north))
            if shape.contains(candidate):
                break
        else:
            candidate = shape.representative_point()
        points.append((round(candidate.x, 6), round(candidate.y, 6)))
    return points


def reports(count: int, prefix: str, seed: int = 1) -> list[dict[str, Any]]:
    """The burst's report bodies in sending order: ``count`` unique external ids, ~1 % of them sent twice."""
    rng = random.Random(seed)
    bodies = [{"subtype_code": rng.choice(HAZARDS), "description": "台风险情 typhoon hazard", "lon": lon, "lat": lat,
               "channel": "hotline", "external_id": f"{prefix}{number:05d}"}
              for number, (lon, lat) in enumerate(_points(count, rng))]
    again = rng.sample(bodies, max(1, int(count * DUPLICATE_SHARE)))
    for body in again:  # the same report again, a little later
        bodies.insert(min(len(bodies), bodies.index(body) + rng.randint(1, 50)), dict(body))
    return bodies


def _declare_typhoon(url: str) -> int:
    """Deploy workflows/ and rules/, then declare a level-I typhoon over every district of the demo city, from now
    for a day."""
    districts = [f["properties"]["code"] for f in
                 json.loads((CITY / "districts.geojson").read_text("utf-8"))["features"]]
    now = datetime.now(UTC)
    bus = bootstrap(url)
    bus.handle(DeployProcesses(read_sources([ROOT / "workflows", ROOT / "rules"]), "bench", "burst bench"))
    declared = bus.handle(DeclareEmergency(
        kind="typhoon", level="I", area={"districts": districts, "streets": []},
        starts_at=(now - timedelta(minutes=1)).isoformat(), ends_at=(now + timedelta(days=1)).isoformat(),
        commander="supervisor01", actor="supervisor01", name="bench typhoon", signal_kinds=HAZARDS))
    bus.deps.db.dispose()
    return int(declared["id"])


@contextmanager
def _processes(url: str, port: int, workers: int, threads: int, schedulers: int) -> Iterator[None]:
    """gunicorn (``workers`` × ``threads``) and ``schedulers`` scheduler processes over ``url``; stopped after."""
    env = {**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "bench", "GRIDCASE_LOG_LEVEL": "WARNING",
           "GRIDCASE_PORT": str(port)}
    started = [subprocess.Popen([sys.executable, "-m", "cli", "serve", "--prod", "--workers", str(workers),
                                 "--threads", str(threads)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)]
    started += [subprocess.Popen([sys.executable, "-m", "cli", "scheduler"], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(schedulers)]
    try:
        _wait_up(port, time.monotonic() + 60)
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a scheduler busy past its stop signal: the schema is dropped next
                process.kill()
                process.wait(timeout=10)


def _client(port: int, token: str, work: queue.Queue[dict[str, Any]], out: dict[str, Any]) -> None:
    """POST reports from ``work`` until it is empty: latency, status and external id of each answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while True:
        try:
            body = work.get_nowait()
        except queue.Empty:
            return
        started = time.perf_counter()
        try:
            status = _call(conn, "POST", "/api/v1/cases", token, body)[0]
        except (OSError, http.client.HTTPException, ValueError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status = 0
        elapsed = time.perf_counter() - started
        with out["lock"]:
            out["latencies"].append(elapsed)
            out["statuses"][status] = out["statuses"].get(status, 0) + 1
            if status in (200, 201):
                out["accepted"].add(body["external_id"])
            out["last_answer"] = time.monotonic()


def _send(port: int, token: str, bodies: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    work: queue.Queue[dict[str, Any]] = queue.Queue()
    for body in bodies:
        work.put(body)
    out: dict[str, Any] = {"lock": threading.Lock(), "latencies": [], "statuses": {}, "accepted": set()}
    threads = [threading.Thread(target=_client, args=(port, token, work, out)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def _counts(url: str, prefix: str) -> BurstCounts:
    bus = bootstrap(url)
    try:
        with bus.deps.uow(read_only=True) as uow:
            return burst_counts(uow.store, prefix)
    finally:
        bus.deps.db.dispose()


def _wait_dispatched(url: str, prefix: str, accepted: int, grace: float) -> BurstCounts:
    """Poll until every accepted external id has a dispatched case, or ``grace`` seconds pass."""
    deadline = time.monotonic() + grace
    while True:
        counts = _counts(url, prefix)
        if counts.dispatched >= accepted or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def _ms(ordered: list[float], share: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1)


def measure(url: str, count: int, workers: int, schedulers: int, clients: int, threads: int,
            grace: float) -> dict[str, Any]:
    """Seed ``url``, declare the typhoon, start the processes and send the burst; the figures."""
    _gridcase(url, "db", "upgrade")
    _gridcase(url, "demo", "seed")
    emergency_id = _declare_typhoon(url)
    prefix = f"burst{os.getpid()}-"
    bodies = reports(count, prefix)
    port = _free_port()
    with _processes(url, port, workers, threads, schedulers):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token = _call(conn, "POST", "/api/v1/auth/token", body={"username": SEAT, "password": "gridcase-demo"})[1][
            "token"]
        conn.close()
        began, began_at = time.monotonic(), datetime.now(UTC)
        out = _send(port, token, bodies, clients)
        sent_s = out["last_answer"] - began
        counts = _wait_dispatched(url, prefix, len(out["accepted"]), grace)
        missing = [] if counts.dispatched >= len(out["accepted"]) else _undispatched(url, prefix)
    last = counts.last_dispatched_at
    to_last = (last - began_at).total_seconds() if last is not None else None
    ordered = sorted(out["latencies"])
    return {"emergency_id": emergency_id, "reports_sent": len(bodies), "unique_reports": count,
            "sent_twice": len(bodies) - count, "clients": clients, "workers": workers, "threads": threads,
            "schedulers": schedulers, "statuses": {str(k): v for k, v in sorted(out["statuses"].items())},
            "reports_accepted": len(out["accepted"]), "cases_created": counts.cases,
            "duplicates": counts.cases - counts.external_ids, "dispatched": counts.dispatched,
            "lost": len(out["accepted"]) - counts.dispatched, "lost_examples": missing,
            "seconds_to_send": round(sent_s, 1), "seconds_to_last_dispatch": None if to_last is None else round(
                to_last, 1), "reports_per_s": round(len(bodies) / sent_s, 1),
            "api_p50_ms": _ms(ordered, 0.5), "api_p95_ms": _ms(ordered, 0.95), "api_max_ms": _ms(ordered, 1.0),
            "engine_events": counts.steps, "engine_events_per_s": round(counts.steps / sent_s, 1)}


def _undispatched(url: str, prefix: str) -> list[str]:
    bus = bootstrap(url)
    try:
        with bus.deps.uow(read_only=True) as uow:
            return undispatched(uow.store, prefix)
    finally:
        bus.deps.db.dispose()


def run(database_url: str | None, reports_count: int = 5000, workers: int = 3, schedulers: int = 2,
        clients: int = 12, threads: int = 4, grace: float = 60.0) -> dict[str, Any]:
    """The burst on PostgreSQL (``database_url`` postgresql://…: a schema of its own, dropped after) or SQLite
    (a temporary file when ``database_url`` is None or sqlite)."""
    if database_url and database_url.startswith("postgresql"):
        with postgres_schema(database_url, f"bench_burst_{os.getpid()}") as url:
            figures = measure(url, reports_count, workers, schedulers, clients, threads, grace)
        return {"database": "postgresql", **figures}
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'burst.db'}"
        return {"database": "sqlite", **measure(url, reports_count, workers, schedulers, clients, threads, grace)}
