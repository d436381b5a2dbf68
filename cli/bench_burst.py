"""`gridcase bench burst`: A typhoon burst: reports through the API under emergency rules, time to the last dispatch."""

from __future__ import annotations

import click


@click.command("burst")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
def bench_burst(as_json: bool) -> None:
    """A typhoon burst: reports through the API under emergency rules, time to the last dispatch."""
    raise click.ClickException("not built yet")
