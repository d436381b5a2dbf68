"""Routing coverage of the demo city: ``python -m demo.routing_coverage [--days 30] [--seed 11] [--database-url U]``.

Loads the demo city's package and its component registry (config/city/zhangzhou/components.csv) into a fresh
database (a temporary SQLite file unless an empty database's URL is given), deploys the
lifecycle with rules/, runs the demo simulation (``demo.simulate``) and prints as JSON which departments with a
mandate the responsibility rules suggested cases to at 派遣 — by owner, by street office, by district — and which
received none, and why (``demo.coverage``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from city.bootstrap import bootstrap
from city.catalog.reader import load_catalog
from city.package.commands import LoadCityPackage
from city.package.reader import read_package
from city.package.rules import deploy_files
from city.persistence.read.routing import dispatch_rounds, in_service_owners
from city.routing.commands import LoadComponents
from city.routing.points import read_components
from demo.coverage import coverage
from demo.simulate import Simulation
from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses
from engine.domain.working_time import HolidayCalendar, WorkingTime
from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database
from engine.service.deploy import read_sources

ROOT = Path(__file__).resolve().parents[1]
CITY = ROOT / "config" / "city" / "zhangzhou"
START = datetime(2026, 11, 2, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@contextmanager
def _database(database_url: str | None) -> Iterator[str]:
    """The given database, or a temporary SQLite file removed afterwards."""
    if database_url:
        yield database_url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/routing.db"


def run(database_url: str | None = None, days: int = 30, seed: int = 11, per_day: float = 40.0) -> dict[str, Any]:
    """Simulate ``days`` days of the demo city and report the routing coverage."""
    with _database(database_url) as url:
        engine = create_db_engine(url)
        upgrade_database(engine)
        clock = FakeClock(START)
        working_time = WorkingTime(HolidayCalendar.from_file(ROOT / "config" / "calendar" / "china.json"))
        bus = bootstrap(engine, clock, working_time=working_time)
        package = read_package(CITY)
        bus.handle(LoadCityPackage(package, actor="bench", source=str(CITY), deploy=deploy_files(package.rules)))
        registry = bus.handle(LoadComponents(tuple(read_components(CITY / "components.csv")), "components.csv",
                                             replace=True, actor="bench"))
        bus.handle(DeployProcesses(read_sources([ROOT / "workflows", ROOT / "rules"]), "bench", "routing coverage"))
        started = time.perf_counter()
        simulation = Simulation(bus, clock, bus.deps.working_time, seed=seed, per_day=per_day)
        summary = simulation.run(START, days)
        with bus.deps.uow(read_only=True) as uow:
            rounds = dispatch_rounds(uow.store, simulation.prefix)
            owners = in_service_owners(uow.store)
        engine.dispose()
    report = coverage(load_catalog(CITY), rounds, owners)
    return {"days": days, "seed": seed, "reports": summary.reports, "components": registry["total"],
            "seconds": round(time.perf_counter() - started, 1), **report}


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-day", type=float, default=40.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.database_url, args.days, args.seed, args.per_day), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
