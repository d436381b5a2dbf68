"""`gridcase bench campaign`: a census campaign over every grid: start time, findings per second,
the progress page's p95."""

from __future__ import annotations

import json

import click


@click.command("campaign")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--database-url", "bench_url", default=None,
              help="Database (default: a temporary SQLite file; PostgreSQL: a schema of its own, dropped after).")
@click.option("--findings", default=14055, show_default=True, type=click.IntRange(0),
              help="Findings reported through the API (each a lifecycle case).")
@click.option("--grids", default=None, type=click.IntRange(1), help="Only the first N unit grids (default: all).")
@click.option("--writers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Threads reporting findings at once.")
def bench_campaign(as_json: bool, bench_url: str | None, findings: int, grids: int | None, writers: int) -> None:
    """A census campaign over every grid with all census topics, started and worked through the API: start time,
    findings per second, the progress page's p50/p95 while findings are written and at rest."""
    from bench.campaign_bench import run

    click.echo(json.dumps(run(bench_url, findings, grids, writers), indent=2, ensure_ascii=False))
