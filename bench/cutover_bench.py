"""Cut-over bench: open legacy cases imported into the live lifecycle per second (docs/history.md).

Builds the demo city in a database of its own (``db upgrade``, ``demo seed``, ``process deploy``), writes ROWS open
cases at random steps (hotline and patrol reports of the commonest subtypes at points inside random unit grids, a
legacy deadline on half of them), imports them with ``import_file`` and imports the same file again (all present).

    python -m bench.cutover_bench [--rows 2000] [--database-url postgresql://…] [--open-batch 100]

prints JSON: rows, seconds, open cases per second, cases by step, and the second run's figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import shapely.geometry

from bench.jobs_bench import bench_database
from city.bootstrap import bootstrap
from city.history.importer import ALL_COLUMNS, import_file
from engine.domain.clock import FakeClock
from engine.domain.working_time import HolidayCalendar, WorkingTime

ROOT = Path(__file__).resolve().parents[1]
GRIDS = ROOT / "config" / "city" / "zhangzhou" / "unit_grids.geojson"
STEPS = ("reported", "filing", "dispatch", "disposal", "check", "closing")
SUBTYPES = ("0601", "0602", "0603")
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _gridcase(url: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT, check=True,
                   capture_output=True, timeout=1200)


def _points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    features = json.loads(GRIDS.read_text("utf-8"))["features"]
    chosen = [shapely.geometry.shape(rng.choice(features)["geometry"]).representative_point() for _ in range(count)]
    return [(round(p.x, 6), round(p.y, 6)) for p in chosen]


def write_rows(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` open cases of the demo city as a gridcase CSV file."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ALL_COLUMNS)
        writer.writeheader()
        for number, (lon, lat) in enumerate(_points(rows, rng)):
            reported = NOW - timedelta(days=rng.uniform(2, 20))
            times = [reported + timedelta(hours=hours) for hours in (1, 1.5, 2, 26, 27)]
            row: dict[str, Any] = {"case_no": f"LB{number:07d}", "result": rng.choice(STEPS),
                                   "channel": rng.choice(("hotline", "patrol")), "subtype": rng.choice(SUBTYPES),
                                   "lon": lon, "lat": lat, "reported_at": reported.isoformat()}
            row |= dict(zip(("verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at"),
                            (t.isoformat() for t in times), strict=True))
            if rng.random() < 0.5:
                row["due_at"] = (times[2] + timedelta(days=rng.uniform(1, 10))).isoformat()
            writer.writerow(row)


def run(database_url: str | None, rows: int, open_batch: int) -> dict[str, Any]:
    """Build the city, import ``rows`` open cases twice; the figures."""
    with bench_database(database_url, "cutover") as url:
        for args in (("db", "upgrade"), ("demo", "seed"), ("process", "deploy", "workflows", "rules")):
            _gridcase(url, *args)
        handle, name = tempfile.mkstemp(prefix="cutover-bench-", suffix=".csv")
        os.close(handle)
        path = Path(name)
        write_rows(path, rows)
        calendar = WorkingTime(HolidayCalendar.from_file(ROOT / "config" / "calendar" / "china.json"))
        bus = bootstrap(url, FakeClock(NOW), working_time=calendar)
        try:
            runs = []
            for _ in range(2):
                started = time.perf_counter()
                summary = import_file(bus, path, open_batch=open_batch)
                seconds = time.perf_counter() - started
                runs.append({"seconds": round(seconds, 2), "open": summary.open, "present": summary.present,
                             "bad": summary.bad, "errors": summary.errors[:3],
                             "rows_per_second": round(rows / seconds, 1)})
            database = bus.deps.db.dialect.name
        finally:
            bus.deps.db.dispose()
            path.unlink(missing_ok=True)
    first, again = runs
    return {"database": database, "rows": rows, "open_batch": open_batch,
            "open_cases_per_second": first["rows_per_second"], "first": first, "again": again}


def main() -> None:
    """Command line: print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--open-batch", type=int, default=100)
    args = parser.parse_args()
    print(json.dumps(run(args.database_url, args.rows, args.open_batch), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
