"""The component registry at census size: ``python -m bench.routing_components [--components 100000]
[--database-url U]`` loads a registry of random components over the demo city (10 classes) and times the load
and the nearest-component lookup a report makes (``CityLocator.nearest_component``: one indexed query on the
class and the ~100 m cells around the point, then the exact distance). SQLite in a temporary file unless a
PostgreSQL URL is given (a schema of its own, dropped afterwards)."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.jobs_bench import bench_database
from city.bootstrap import bootstrap
from city.catalog.reader import load_catalog
from city.commands import LoadCatalog
from city.grids.locator import CityLocator
from city.routing.commands import LoadComponents
from engine.domain.clock import FakeClock
from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database

CITY = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"
CLASSES = ("0101", "0102", "0103", "0104", "0105", "0109", "0112", "0301", "0401", "0406")
BOUNDS = (117.60, 24.47, 117.72, 24.57)  # the demo city's extent, about 12 km × 11 km


def run(database_url: str | None = None, components: int = 100_000, lookups: int = 2000) -> dict[str, Any]:
    """Load ``components`` random components, then time ``lookups`` nearest-component lookups within 50 m."""
    rng = random.Random(7)
    west, south, east, north = BOUNDS
    rows = tuple({"where": f"row {n}", "id": f"K{n:07d}", "class": rng.choice(CLASSES), "owner": "C05",
                  "state": "in_use", "lon": rng.uniform(west, east), "lat": rng.uniform(south, north)}
                 for n in range(components))
    with bench_database(database_url, "components") as url:
        engine = create_db_engine(url)
        upgrade_database(engine)
        bus = bootstrap(engine, FakeClock())
        catalog = load_catalog(CITY)
        bus.handle(LoadCatalog(tuple(asdict(a) for a in catalog.aspects.values()),
                               tuple(asdict(s) for s in catalog.subtypes.values()),
                               tuple(asdict(d) for d in catalog.departments.values()), ()))
        started = time.perf_counter()
        bus.handle(LoadComponents(rows, "bench", replace=True, actor="bench"))
        load_seconds = time.perf_counter() - started
        locator = CityLocator(bus.deps.uow, search_m=50)
        times, found = [], 0
        for _ in range(lookups):
            lon, lat, klass = rng.uniform(west, east), rng.uniform(south, north), rng.choice(CLASSES)
            started = time.perf_counter()
            found += locator.nearest_component(klass, lon, lat) is not None
            times.append(time.perf_counter() - started)
        engine.dispose()
    times.sort()
    return {"database": "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite",
            "components": components, "load_seconds": round(load_seconds, 2), "lookups": lookups,
            "found_within_50m": found, "lookup_ms_median": round(statistics.median(times) * 1000, 2),
            "lookup_ms_p95": round(times[int(len(times) * 0.95)] * 1000, 2)}


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.database_url, args.components, args.lookups)))


if __name__ == "__main__":
    main()
