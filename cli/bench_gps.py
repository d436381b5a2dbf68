"""`gridcase bench gps`: GPS positions ingested and checked per second by one web worker, beside a bare insert."""

from __future__ import annotations

import json

import click


@click.command("gps")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--database-url", "bench_url", default=None,
              help="Database (default: a temporary SQLite file; PostgreSQL: a schema of its own, dropped after).")
@click.option("--positions", default=200_000, show_default=True, type=click.IntRange(1),
              help="Positions sent (rounded up to whole rounds of the fleet).")
@click.option("--vehicles", default=1000, show_default=True, type=click.IntRange(1, 99_999),
              help="Trucks in the simulated fleet, each reporting every 10 s.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 5000), help="Positions per POST.")
@click.option("--clients", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Client threads posting at once (each owns its trucks).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads of the one gunicorn worker.")
def bench_gps(as_json: bool, bench_url: str | None, positions: int, vehicles: int, batch: int, clients: int,
              threads: int) -> None:
    """The demo city with a fleet of ``vehicles`` trucks; their tracks posted to one web worker (``gridcase serve
    --prod --workers 1``): positions ingested and checked per second, request p50/p95, alerts raised, and the same
    rows inserted by a bare executemany (the ratio checked/bare). Target: >= 5,000 positions/s per worker."""
    from bench.gps_bench import run

    click.echo(json.dumps(run(bench_url, positions, vehicles, batch, clients, threads), indent=2, ensure_ascii=False))
