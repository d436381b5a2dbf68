"""The ``gridcase`` command line: one entry point for the database, servers, processes and benchmarks."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

import click

from config.settings import Settings
from engine.domain.errors import GridcaseError
from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database
from vision.cli import bench_vision, vision  # the one place web reaches into vision (see pyproject ignore_imports)
from web.cli_city import calendar, city, demo, rules
from web.cli_history import bench_queries, import_group
from web.cli_kpi import kpi, report
from web.cli_process import process_layout, process_migrate
from web.cli_replay import bench_replay, replay
from web.cli_run import start_vision
from web.cli_users import user


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
@click.option("--prod", is_flag=True, help="Run gunicorn with several worker processes (use PostgreSQL).")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="gunicorn workers.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.pass_obj
def serve(settings: Settings, prod: bool, workers: int, threads: int) -> None:
    """Start the web server (no scheduler runs in this process)."""
    if prod:
        import os

        if settings.database_url.startswith("sqlite") or not settings.secret_key:
            click.echo("warning: production serving wants PostgreSQL (GRIDCASE_DATABASE_URL) and a shared "
                       "GRIDCASE_SECRET_KEY", err=True)
        os.environ["GRIDCASE_DATABASE_URL"] = settings.database_url
        os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
                                   str(threads), "--bind", f"{settings.host}:{settings.port}", "--access-logfile", "-",
                                   "web.wsgi:app"])
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
    timers = TimerScheduler(bus, lookahead=settings.scheduler_lookahead,
                            checkpoint_every=settings.audit_checkpoint_seconds)
    click.echo("scheduler running; Ctrl-C stops it")
    timers.run(stop, interval=settings.scheduler_interval)


@cli.command()
@click.option("--vision", "cameras", multiple=True, help="Also read these cameras once with the vision worker "
                                                         "when the web server is up (make run: CAM-DEMO-01).")
@click.option("--vision-user", default="vision01", show_default=True, help="The vision_worker account.")
@click.pass_obj
def run(settings: Settings, cameras: tuple[str, ...], vision_user: str) -> None:
    """Start the web server and the scheduler as two processes; Ctrl-C (or SIGTERM) stops both."""
    base = [sys.executable, "-m", "web.cli", "--database-url", settings.database_url]
    stop = threading.Event()
    # Handle the signals explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    children = [subprocess.Popen([*base, "serve"]), subprocess.Popen([*base, "scheduler"])]
    workers: list[subprocess.Popen[bytes]] = []  # one-shot vision runs: their end does not stop the servers
    if cameras:
        threading.Thread(target=start_vision, args=(settings, base, cameras, vision_user, stop, workers),
                         daemon=True).start()
    try:
        while not stop.is_set() and all(child.poll() is None for child in children):
            stop.wait(0.5)
    finally:
        for child in [*children, *workers]:
            if child.poll() is None:
                child.terminate()  # SIGTERM: both servers stop cleanly on it
        for child in [*children, *workers]:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:  # a child that ignores SIGTERM must not outlive `run`
                child.kill()
                child.wait()
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
    from engine.domain.commands import DeployProcesses
    from engine.service.bootstrap import bootstrap
    from engine.service.deploy import read_sources

    bus = bootstrap(settings.database_url, working_time=settings.working_time())
    for result in bus.handle(DeployProcesses(read_sources(files), actor, comment)):
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


@bench.command("web")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--clients", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--seconds", default=10.0, show_default=True, type=click.FloatRange(1, 600))
@click.option("--days", default=3, show_default=True, type=click.IntRange(1, 60), help="Simulated days of cases.")
@click.option("--postgres-url", default=None, help="Also measure PostgreSQL (a schema of its own), side by side.")
def bench_web(as_json: bool, clients: int, seconds: float, days: int, postgres_url: str | None) -> None:
    """Department queue and case page: requests/s and p95 under concurrent clients (gunicorn, loopback)."""
    from bench.web_bench import run as run_bench

    click.echo(json.dumps(run_bench(postgres_url, clients, seconds, days), indent=2))


@bench.command("timers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--pending", default=100_000, show_default=True, type=click.IntRange(1000))
@click.option("--due", default=300, show_default=True, type=click.IntRange(1))
@click.option("--database-url", "bench_url", default=None, help="Database (default: a temporary SQLite file).")
def bench_timers(as_json: bool, pending: int, due: int, bench_url: str | None) -> None:
    """Pending timers in the database, some coming due, fired by the real scheduler process."""
    from bench.timer_bench import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, pending, due), indent=2))


cli.add_command(calendar)
cli.add_command(city)
cli.add_command(demo)
cli.add_command(kpi)
cli.add_command(report)
cli.add_command(import_group)
cli.add_command(replay)
cli.add_command(rules)
cli.add_command(user)
cli.add_command(vision)
process.add_command(process_layout)
process.add_command(process_migrate)
bench.add_command(bench_queries)
bench.add_command(bench_replay)
bench.add_command(bench_vision)


if __name__ == "__main__":
    main()
