"""`gridcase bench burst`: A typhoon burst: reports through the API under emergency rules, time to the last dispatch."""

from __future__ import annotations

import json

import click


@click.command("burst")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--reports", "reports_count", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Reports in the burst (about 1 % more are sent twice on purpose).")
@click.option("--database-url", default=None,
              help="postgresql://… (a schema of its own, dropped after) or sqlite:///…; default: a temporary SQLite "
                   "file.")
@click.option("--workers", default=3, show_default=True, type=click.IntRange(1, 32), help="gunicorn workers.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per worker.")
@click.option("--schedulers", default=2, show_default=True, type=click.IntRange(0, 8),
              help="gridcase scheduler processes.")
@click.option("--clients", default=12, show_default=True, type=click.IntRange(1, 256), help="Client threads.")
@click.option("--grace", default=60.0, show_default=True, type=click.FloatRange(0, 3600),
              help="Seconds to wait after the last answer for every accepted report to be dispatched.")
def bench_burst(as_json: bool, reports_count: int, database_url: str | None, workers: int, threads: int,
                schedulers: int, clients: int, grace: float) -> None:
    """A typhoon burst: reports through the API under emergency rules, time to the last dispatch."""
    from bench.burst_bench import run

    click.echo(json.dumps(run(database_url, reports_count, workers, schedulers, clients, threads, grace), indent=2,
                          ensure_ascii=False))
