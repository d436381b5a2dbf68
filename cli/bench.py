"""``gridcase bench …``: every benchmark in one group; each prints JSON (the figures in docs/)."""

from __future__ import annotations

import json

import click

from cli.bench_burst import bench_burst
from cli.bench_campaign import bench_campaign
from cli.bench_gps import bench_gps
from cli.bench_public import bench_public
from cli.history import bench_queries
from cli.replay import bench_replay
from vision.cli import bench_vision  # needs the vision extra only when it runs
from web.settings import Settings


@click.group()
def bench() -> None:
    """Benchmarks; each prints JSON."""


@bench.command("engine")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--cases", default=200, show_default=True, type=click.IntRange(1))
@click.option("--loop-iterations", default=200, show_default=True, type=click.IntRange(20))
@click.option("--database-url", "bench_url", default=None,
              help="Database to persist to (default: a temporary SQLite file).")
@click.option("--side-by-side", is_flag=True,
              help="SQLite: also persist at the other synchronous level (full/normal), in the same rounds.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads driving cases at once for the concurrent figure (SQLite: group commit on and off).")
@click.pass_obj
def bench_engine(settings: Settings, as_json: bool, cases: int, loop_iterations: int, bench_url: str | None,
                 side_by_side: bool, threads: int) -> None:
    """SpiffWorkflow in memory vs gridcase persisted vs naive whole-blob persistence, at the durability the
    settings give (GRIDCASE_SQLITE_SYNCHRONOUS, GRIDCASE_SQLITE_GROUP_COMMIT; reported in the JSON); and
    ``--threads`` threads driving cases through one bus, with group commit on and off."""
    from bench.engine_bench import run as run_bench

    figures = run_bench(bench_url, cases, loop_iterations, settings.session_settings(), side_by_side, threads)
    click.echo(json.dumps(figures, indent=2))


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
@click.option("--hosts", default=1, show_default=True, type=click.IntRange(1, 8),
              help="Web hosts over one PostgreSQL (needs --postgres-url): one host, then this many, side by side.")
@click.pass_obj
def bench_web(settings: Settings, as_json: bool, clients: int, seconds: float, days: int,
              postgres_url: str | None, hosts: int) -> None:
    """Department queue and case page: requests/s and p95 under concurrent clients (gunicorn, loopback), at the
    durability the settings give the server (reported in the JSON)."""
    if hosts > 1:  # bench/web_hosts.py: hosts share one database, so PostgreSQL only
        if not postgres_url:
            raise click.UsageError("--hosts needs --postgres-url: several hosts share one PostgreSQL database")
        from bench.web_hosts import run as run_hosts

        click.echo(json.dumps(run_hosts(postgres_url, hosts, clients, seconds, days, settings.session_settings()),
                              indent=2))
        return
    from bench.web_bench import run as run_bench

    click.echo(json.dumps(run_bench(postgres_url, clients, seconds, days, settings.session_settings()), indent=2))


@bench.command("timers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--pending", default=100_000, show_default=True, type=click.IntRange(1000))
@click.option("--due", default=300, show_default=True, type=click.IntRange(1))
@click.option("--database-url", "bench_url", default=None, help="Database (default: a temporary SQLite file).")
def bench_timers(as_json: bool, pending: int, due: int, bench_url: str | None) -> None:
    """Pending timers in the database, some coming due, fired by the real scheduler process."""
    from bench.timer_bench import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, pending, due), indent=2))


@bench.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--jobs", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--database-url", "bench_url", default=None,
              help="Database (default: a temporary SQLite file; PostgreSQL: a schema of its own, dropped after).")
def bench_jobs(as_json: bool, jobs: int, workers: int, bench_url: str | None) -> None:
    """External-worker jobs completed through the HTTP API (gunicorn) by concurrent workers: jobs/s, lock-to-complete
    latency, and a check that no job was completed twice."""
    from bench.jobs_bench import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, jobs, workers), indent=2))


@bench.command("notify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--cases", default=1000, show_default=True, type=click.IntRange(1))
@click.option("--senders", default=8, show_default=True, type=click.IntRange(1, 64), help="Sends at once.")
@click.option("--rate", default=25.0, show_default=True, type=click.FloatRange(0.1, 10_000),
              help="Steps per second in the paced phase.")
@click.option("--database-url", "bench_url", default=None,
              help="Database (default: a temporary SQLite file; PostgreSQL: a schema of its own, dropped after).")
def bench_notify(as_json: bool, cases: int, senders: int, rate: float, bench_url: str | None) -> None:
    """Notifications delivered per second to a local SMTP server and HTTP receiver while cases move (as fast as
    possible, then at --rate steps/s), and the event-to-delivery latency (p50, p95)."""
    from bench.notify_bench import run as run_bench

    click.echo(json.dumps(run_bench(bench_url, cases, senders, rate), indent=2))


@bench.command("feel")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--seconds", default=2.0, show_default=True, type=click.FloatRange(0.01, 600),
              help="Evaluation time per figure, before and after each (the chain's: half).")
@click.option("--load-repeats", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Cold reads of the responsibility table (the median is printed).")
def bench_feel(as_json: bool, seconds: float, load_repeats: int) -> None:
    """Decisions per second, old decision-table subset (before) vs dmn/feel (after), side by side: the city's
    810-rule responsibility table, a chain of literal-expression decisions, and reading the table."""
    from bench.decisions import run as run_bench

    click.echo(json.dumps(run_bench(seconds, load_repeats), indent=2, ensure_ascii=False))


bench.add_command(bench_queries)
bench.add_command(bench_replay)
bench.add_command(bench_vision)
bench.add_command(bench_campaign)
bench.add_command(bench_burst)
bench.add_command(bench_gps)
bench.add_command(bench_public)
