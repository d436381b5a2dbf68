"""StartCampaign over the demo city, timed: one transaction starting the campaign's case and a sweep case per unit
grid (``engine.service.bulk_starts``), with every census topic. Prints JSON.

``python -m bench.campaign_start [DATABASE_URL] [--grids N]``: a fresh database (a temporary SQLite file, or a
schema of its own in the given PostgreSQL, dropped after) gets the demo city and the deployed models as an operator
would (``db upgrade``, ``demo seed``, ``process deploy``); then the campaign is started once over every district (or
the first N grids) and timed. ``bench/campaign_bench.py`` (``gridcase bench campaign``) measures the same through
the API with findings and the progress page.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import timedelta
from typing import Any

from bench.cutover_bench import _gridcase
from bench.jobs_bench import bench_database
from city.bootstrap import bootstrap
from city.campaigns.commands import StartCampaign
from city.campaigns.progress import topic_catalogue
from city.persistence.read.campaign_rows import city_area
from engine.persistence.db import create_db_engine

LEAD = "shiftlead01"


def start_once(url: str, grids: int | None = None) -> dict[str, Any]:
    """Start one campaign with every census topic over the whole city (or its first ``grids`` grids): the figures."""
    engine = create_db_engine(url)
    bus = bootstrap(engine)
    topics = tuple(t["code"] for t in topic_catalogue(bus.deps) if t["group"] == "census")
    with bus.deps.uow(read_only=True) as uow:
        area = city_area(uow.store, grids)
    now = bus.deps.clock.now()
    command = StartCampaign("全域专项普查 bench", "census", topics, area, now, now + timedelta(days=14), (), LEAD)
    started, cpu = time.perf_counter(), time.process_time()
    result = bus.handle(command)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return {"database": engine.dialect.name, "grids": result["grids"], "topics": len(topics),
            "start_seconds": round(seconds, 2), "ms_per_grid": round(1000 * seconds / result["grids"], 2),
            "cpu_seconds": round(cpu, 2),  # this process's CPU time: the figure a loaded machine distorts least
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run(database_url: str | None = None, grids: int | None = None) -> dict[str, Any]:
    """A fresh seeded database, one campaign started over it: the figures."""
    with bench_database(database_url, "campaign_start") as url:
        _gridcase(url, "db", "upgrade")
        _gridcase(url, "demo", "seed")
        _gridcase(url, "process", "deploy", "workflows", "rules")
        return start_once(url, grids)


def main() -> None:
    """The command line: ``python -m bench.campaign_start [DATABASE_URL] [--grids N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=None)
    parser.add_argument("--grids", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.database_url, args.grids), indent=1))


if __name__ == "__main__":
    main()
