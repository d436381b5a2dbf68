"""The ``gridcase`` command line: one entry point for the database, servers, processes and benchmarks."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import click

from config.settings import Settings
from engine.domain.errors import GridcaseError
from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database


def main() -> None:
    """Console script entry point: turns gridcase errors into a message and exit code 1."""
    try:
        cli(standalone_mode=True)
    except GridcaseError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)


@click.group()
@click.option("--database-url", envvar="GRIDCASE_DATABASE_URL", help="SQLAlchemy URL (default: var/gridcase.db).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """gridcase: BPMN case management for city management (数字城管)."""
    settings = Settings.from_env()
    if database_url:
        settings = Settings(**{**settings.__dict__, "database_url": database_url})
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SpiffWorkflow logs every task state change at INFO; keep that for DEBUG sessions only.
    for noisy in ("spiff", "alembic.runtime.migration", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    ctx.obj = settings


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply every migration (creates the database if needed)."""
    settings.ensure_sqlite_dir()
    upgrade_database(create_db_engine(settings.database_url))
    click.echo(f"database at head: {settings.database_url}")


@cli.command()
@click.pass_obj
def serve(settings: Settings) -> None:
    """Start the web server (no scheduler runs in this process)."""
    from web.app import create_app

    create_app(settings).run(host=settings.host, port=settings.port, threaded=True)


@cli.command()
@click.pass_obj
def scheduler(settings: Settings) -> None:
    """Start the timer process: fires due timers through FireTimer until stopped."""
    from engine.scheduling.scheduler import TimerScheduler
    from engine.service.bootstrap import bootstrap

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    bus = bootstrap(settings.database_url, working_time=settings.working_time())
    timers = TimerScheduler(bus, lookahead=settings.scheduler_lookahead)
    click.echo("scheduler running; Ctrl-C stops it")
    timers.run(stop, interval=settings.scheduler_interval)


@cli.command()
@click.pass_obj
def run(settings: Settings) -> None:
    """Start the web server and the scheduler as two processes; Ctrl-C (or SIGTERM) stops both."""
    base = [sys.executable, "-m", "web.cli", "--database-url", settings.database_url]
    stop = threading.Event()
    # Handle the signals explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    children = [subprocess.Popen([*base, "serve"]), subprocess.Popen([*base, "scheduler"])]
    try:
        while not stop.is_set() and all(child.poll() is None for child in children):
            stop.wait(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()  # SIGTERM: both servers stop cleanly on it
        for child in children:
            child.wait(timeout=15)
    failed = [child.returncode for child in children if child.returncode not in (0, -signal.SIGTERM)]
    sys.exit(1 if failed else 0)


@cli.group()
def process() -> None:
    """Deployed process versions."""


@process.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--comment", default="", help="Why this version exists.")
@click.option("--actor", default="cli", help="Who deploys.")
@click.pass_obj
def process_deploy(settings: Settings, files: tuple[Path, ...], comment: str, actor: str) -> None:
    """Parse BPMN/DMN FILES (or folders) and store new versions; nothing is stored if any is invalid."""
    from engine.service.bootstrap import bootstrap
    from engine.service.deploy import deploy, read_sources

    bus = bootstrap(settings.database_url, working_time=settings.working_time())
    for result in deploy(bus.deps, read_sources(files), actor, comment):
        state = "deployed" if result.created else "unchanged"
        click.echo(f"{result.process_id}: version {result.number} ({state}, sha256 {result.sha256[:12]})")


@process.command("versions")
@click.argument("process_id")
@click.pass_obj
def process_versions(settings: Settings, process_id: str) -> None:
    """List the versions of PROCESS_ID."""
    from engine.persistence.uow import UnitOfWork
    from engine.persistence.versions import list_versions

    with UnitOfWork(create_db_engine(settings.database_url)) as uow:
        rows = list_versions(uow.store, process_id)
    if not rows:
        raise click.ClickException(f"no deployed process {process_id!r}")
    for row in rows:
        when = f"{row.deployed_at:%Y-%m-%d %H:%M}"
        click.echo(f"{row.number}\t{when}\t{row.deployed_by}\t{row.sha256[:12]}\t{row.comment}")


CALENDAR_FILE = Path(__file__).resolve().parents[1] / "config" / "calendar" / "china.json"
CITY_DIR = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"


@cli.group()
def calendar() -> None:
    """The official working-day calendar (holidays and make-up working days)."""


def _dates(text: str, option: str) -> list[date]:
    try:
        return [date.fromisoformat(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@calendar.command("add-year")
@click.argument("year", type=click.IntRange(2000, 2200))
@click.option("--holidays", default="", help="Comma-separated dates off (YYYY-MM-DD), from the State Council notice.")
@click.option("--workdays", default="", help="Comma-separated weekend dates that are working days (调休).")
@click.option("--file", "path", type=click.Path(path_type=Path), default=CALENDAR_FILE, show_default=True)
def calendar_add_year(year: int, holidays: str, workdays: str, path: Path) -> None:
    """Add or replace YEAR in the calendar table; until a year is added it counts Monday–Friday."""
    from engine.domain.working_time import HolidayCalendar

    table = HolidayCalendar.from_file(path) if path.exists() else HolidayCalendar()
    off, on = _dates(holidays, "--holidays"), _dates(workdays, "--workdays")
    try:
        fresh = HolidayCalendar()
        fresh.add_year(year, off, on)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    table.holidays = {d for d in table.holidays if d.year != year} | fresh.holidays
    table.workdays = {d for d in table.workdays if d.year != year} | fresh.workdays
    table.known_years.add(year)
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data["years"] = table.to_dict()["years"]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    click.echo(f"{year}: {len(off)} holidays, {len(on)} make-up working days written to {path}")


@cli.group()
def city() -> None:
    """The city: grids and catalogue."""


def _features(path: Path | None) -> list[dict]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    if data.get("type") != "FeatureCollection":
        raise click.ClickException(f"{path}: not a GeoJSON FeatureCollection")
    return data["features"]


@city.command("load")
@click.option("--unit-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--resp-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--districts", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def city_load(settings: Settings, unit_grids: Path, resp_grids: Path, districts: Path | None) -> None:
    """Replace the city's grids from GeoJSON boundary files (features need a 'code' property)."""
    from engine.service.bootstrap import bootstrap
    from engine.service.city import load_city

    counts = load_city(bootstrap(settings.database_url).deps, _features(unit_grids), _features(resp_grids),
                       _features(districts))
    click.echo(json.dumps(counts))


@city.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.pass_obj
def city_stats_command(settings: Settings, as_json: bool) -> None:
    """Counts of the city's stored data."""
    from engine.service.bootstrap import bootstrap
    from engine.service.city import city_stats

    click.echo(json.dumps(city_stats(bootstrap(settings.database_url).deps)))


@cli.group()
def demo() -> None:
    """The demo city (Zhangzhou's urban area)."""


@demo.command("seed")
@click.pass_obj
def demo_seed(settings: Settings) -> None:
    """Load the demo city's grids and catalogue (replacing any loaded before)."""
    from dataclasses import asdict

    from config.city.catalog import load_catalog as read_catalog
    from engine.service.bootstrap import bootstrap
    from engine.service.city import city_stats, load_catalog, load_city

    folder = CITY_DIR
    deps = bootstrap(settings.database_url).deps
    load_city(deps, _features(folder / "unit_grids.geojson"), _features(folder / "resp_grids.geojson"),
              _features(folder / "districts.geojson"))
    catalog = read_catalog(folder)
    users = [{**asdict(u), "password": catalog.demo_password} for u in catalog.users.values()]
    load_catalog(deps, [asdict(a) for a in catalog.aspects.values()], [asdict(s) for s in catalog.subtypes.values()],
                 [asdict(d) for d in catalog.departments.values()], users)
    click.echo(json.dumps(city_stats(deps)))


@cli.group()
def rules() -> None:
    """DMN decision tables (FEEL)."""


@rules.command("eval")
@click.argument("dmn_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", "decision_id", required=True, help="The decision to evaluate.")
def rules_eval(dmn_file: Path, decision_id: str) -> None:
    """Evaluate DECISION for each JSON object of inputs on stdin; one JSON result per line on stdout."""
    from engine.bpmn.dmn_file import parse_dmn
    from engine.domain.decision_table import evaluate_decision

    try:
        decisions, requirements = parse_dmn(dmn_file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(f"{dmn_file}: {exc}") from None
    if decision_id not in decisions:
        raise click.ClickException(f"{dmn_file}: no decision {decision_id!r} (has: {', '.join(sorted(decisions))})")
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            inputs = json.loads(line)
            if not isinstance(inputs, dict):
                raise ValueError("each line must be a JSON object of inputs")
            result: object = evaluate_decision(decisions, requirements, decision_id, inputs)
        except ValueError as exc:  # bad JSON, FEEL and decision errors: report and carry on
            result = {"error": f"line {number}: {exc}"}
        click.echo(json.dumps(result, ensure_ascii=False, default=str))


@cli.group()
def bench() -> None:
    """Benchmarks; each prints JSON."""


@bench.command("engine")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--cases", default=200, show_default=True, type=click.IntRange(1))
@click.option("--loop-iterations", default=200, show_default=True, type=click.IntRange(20))
@click.option("--database-url", "bench_url", default=None,
              help="Database to persist to (default: a temporary SQLite file).")
def bench_engine(as_json: bool, cases: int, loop_iterations: int, bench_url: str | None) -> None:
    """SpiffWorkflow in memory vs gridcase persisted vs naive whole-blob persistence."""
    from bench.engine_bench import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, cases, loop_iterations), indent=2))


@bench.command("geo")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--points", default=200_000, show_default=True, type=click.IntRange(1000))
def bench_geo(as_json: bool, points: int) -> None:
    """Location → unit grid lookups per second over the demo city's unit grids."""
    from bench.geo_bench import run as run_bench

    click.echo(json.dumps(run_bench(points), indent=2))


@bench.command("timers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--pending", default=100_000, show_default=True, type=click.IntRange(1000))
@click.option("--due", default=300, show_default=True, type=click.IntRange(1))
@click.option("--database-url", "bench_url", default=None, help="Database (default: a temporary SQLite file).")
def bench_timers(as_json: bool, pending: int, due: int, bench_url: str | None) -> None:
    """Pending timers in the database, some coming due, fired by the real scheduler process."""
    from bench.timer_bench import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, pending, due), indent=2))


if __name__ == "__main__":
    main()
