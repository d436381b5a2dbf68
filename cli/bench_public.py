"""`gridcase bench public`: Open311 and 12345 intake beside a staff report, Open311 reads, pushes sent, the
upper-level export — the figures of issue 23, measured through the Flask app in one run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from bench.public_intake import App


def open_app(url: str, folder: Path) -> App:
    """The Flask app over ``url`` (files under ``folder``): its test client, bus and closing. Built here, in the
    command line's layer, because the bench layer may not import the web layer."""
    from web.app import create_app
    from web.live import HUB
    from web.settings import Settings

    settings = Settings.from_env({**os.environ, "GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "bench",
                                  "GRIDCASE_ATTACHMENTS_DIR": str(folder / "attachments")})
    app = create_app(settings)
    bus = app.extensions["gridcase.bus"]

    def close() -> None:
        app.extensions[HUB].close()
        bus.deps.db.dispose()

    return App(app.test_client(), bus, close)


@click.command("public")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.option("--database-url", "bench_url", default=None,
              help="Database (default: a temporary SQLite file; PostgreSQL: a schema of its own, dropped after).")
@click.option("--requests", default=200, show_default=True, type=click.IntRange(1, 5000),
              help="Open311 requests, staff reports and 12345 orders (each).")
@click.option("--cases", default=2000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Live cases' facts in the upper-level export.")
@click.option("--drive", default=50, show_default=True, type=click.IntRange(0, 5000),
              help="12345 orders verified and filed before the pushes are sent (a second push each).")
def bench_public(as_json: bool, bench_url: str | None, requests: int, cases: int, drive: int) -> None:
    """Open311 POST vs a seat operator's report (per second, p50/p95, ratio), Open311 reads, signed 12345 orders
    and their duplicates, the pushes sent to a local receiver, and RunExchangeExport over ``cases`` live cases
    (seconds, records/s, file size, schema validation)."""
    from bench.public_bench import run

    click.echo(json.dumps(run(open_app, bench_url, requests, cases, drive), indent=2, ensure_ascii=False))
