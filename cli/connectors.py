"""``gridcase connectors``: the other systems (docs/connectors.md).

``load FILE --as ADMIN`` sends the configuration file to ``LoadConnectors`` (the same command as the API and the admin
page: every problem printed ``connectors[i].path: message``, exit 2, nothing loaded); ``list`` and ``show CODE``
print the connectors; ``deliveries CODE [--status S] [--case NO]`` the push log; ``retry ID --as ADMIN`` queues a
failed push again."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli.options import REFUSED_EXIT, city_bus, handled_or_exit
from web.settings import Settings


@click.group()
def connectors() -> None:
    """The 12345 hotline and other systems: configuration, pushes."""


@connectors.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="Who loads it: an admin.")
@click.pass_obj
def connectors_load(settings: Settings, path: Path, username: str) -> None:
    """Load the configuration file: new connectors, changed ones (version+1), missing ones deactivated."""
    from city.connectors.commands import LoadConnectors

    try:
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"{path} is not UTF-8 text") from exc
    result = handled_or_exit(city_bus(settings), LoadConnectors(content, username), " (nothing was loaded)")
    for what, codes in result.items():
        click.echo(f"{what}: {', '.join(codes) or '-'}")


@connectors.command("list")
@click.pass_obj
def connectors_list(settings: Settings) -> None:
    """Every connector: code, kind, version, active, name."""
    from city.connectors import views

    for row in views.connectors(city_bus(settings).deps):
        click.echo(f"{row['code']}\t{row['kind']}\tv{row['version']}\t{'active' if row['active'] else 'inactive'}"
                   f"\t{row['name']}")


def _shown(call: Any) -> Any:
    """A view's answer; a refusal (no such connector, a bad filter) printed and exit 2."""
    from engine.domain.errors import GridcaseError

    try:
        return call()
    except GridcaseError as exc:
        click.echo(f"refused: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        sys.exit(REFUSED_EXIT)


@connectors.command("show")
@click.argument("code")
@click.pass_obj
def connectors_show(settings: Settings, code: str) -> None:
    """One connector with its configuration, as JSON."""
    from city.connectors import views

    deps = city_bus(settings).deps
    click.echo(json.dumps(_shown(lambda: views.connector(deps, code)), ensure_ascii=False, indent=2))


@connectors.command("deliveries")
@click.argument("code")
@click.option("--status", default=None, help="Only pushes in this state (queued, sending, sent, retrying, failed).")
@click.option("--case", "case_no", default=None, help="Only the pushes of this case number.")
@click.option("--page", default=1, type=int)
@click.pass_obj
def connectors_deliveries(settings: Settings, code: str, status: str | None, case_no: str | None,
                          page: int) -> None:
    """The connector's pushes, newest first, with their attempts."""
    from city.connectors import views

    deps = city_bus(settings).deps
    for row in _shown(lambda: views.deliveries(deps, code, status=status, case_no=case_no, page=page)):
        click.echo(f"{row['id']}\t{row['case_no']}#{row['seq']}\t{row['event']}\t{row['status']}"
                   f"\tattempts={row['attempts']}\t{row['last_error'] or ''}")
        for attempt in row["log"]:
            click.echo(f"    {attempt['at']} {attempt['status']} {attempt['http_status'] or ''}"
                       f" {attempt['error'] or ''} {attempt['actor']}")


@connectors.command("retry")
@click.argument("delivery_id", type=int)
@click.option("--as", "username", required=True, help="Who retries it: an admin.")
@click.pass_obj
def connectors_retry(settings: Settings, delivery_id: int, username: str) -> None:
    """Queue a failed push again."""
    from city.connectors.commands import RetryPush

    result = handled_or_exit(city_bus(settings), RetryPush(delivery_id, username))
    click.echo(f"push {result['id']}: {result['status']}")
