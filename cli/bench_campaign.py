"""`gridcase bench campaign`: a census campaign over every grid: start time, findings per second,
the progress page's p95."""

from __future__ import annotations

import click


@click.command("campaign")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
def bench_campaign(as_json: bool) -> None:
    """A census campaign over every grid: start time, findings per second, the progress page's p95."""
    raise click.ClickException("not built yet")
