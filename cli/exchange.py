"""``gridcase exchange``: the upper-level platform exchange (上级平台数据交换; docs/exchange.md).

``export CODE --as USER`` sends ``RunExchangeExport`` and ``inbox CODE --as USER`` sends ``ReadExchangeInbox`` — the
same commands as the API, the admin page and the scheduler, so they refuse the same things (a refusal is printed
naming the field, exit 2). ``batches CODE [--direction export|import] [--page N] [--json]`` lists the batches."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from cli.options import REFUSED_EXIT, city_bus, handled_or_exit
from web.settings import Settings


@click.group()
def exchange() -> None:
    """The upper-level platform exchange (上级平台数据交换): exports, the inbox, the batches."""


def _print(result: Any) -> None:
    click.echo(json.dumps(result, ensure_ascii=False, default=str))


@exchange.command("export")
@click.argument("code")
@click.option("--as", "username", required=True, help="Who runs it: an admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one line of JSON.")
@click.pass_obj
def exchange_export(settings: Settings, code: str, username: str, as_json: bool) -> None:
    """Export the cases changed since the connector's last export into its outbox (one file per max_records)."""
    from city.exchange.commands import RunExchangeExport

    result = handled_or_exit(city_bus(settings), RunExchangeExport(code, username))
    if as_json:
        _print(result)
        return
    for batch in result["batches"]:
        unmapped = len(batch["unmapped"])
        click.echo(f"{batch['file_name']}: {batch['records']} records, {unmapped} without a national code")
    for name in result["finished"]:
        click.echo(f"{name}: finished (an earlier run's file renamed)")
    if not result["batches"]:
        click.echo("nothing changed: no file written")


@exchange.command("inbox")
@click.argument("code")
@click.option("--as", "username", required=True, help="Who runs it: an admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one line of JSON.")
@click.pass_obj
def exchange_inbox(settings: Settings, code: str, username: str, as_json: bool) -> None:
    """Read the connector's inbox: acknowledgements and assigned cases, each file recorded and moved aside."""
    from city.exchange.commands import ReadExchangeInbox

    result = handled_or_exit(city_bus(settings), ReadExchangeInbox(code, username))
    if as_json:
        _print(result)
        return
    for found in result["files"]:
        extra = found.get("reason") or ", ".join(f"{key} {len(found[key])}" for key in ("taken", "refused")
                                                 if key in found)
        click.echo(f"{found['file']}: {found['status']}{': ' + extra if extra else ''}")
    if not result["files"]:
        click.echo("the inbox is empty")


@exchange.command("batches")
@click.argument("code")
@click.option("--direction", type=click.Choice(["export", "import"]), default=None, help="Only these batches.")
@click.option("--page", type=click.IntRange(1, 10000), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@click.pass_obj
def exchange_batches(settings: Settings, code: str, direction: str | None, page: int, as_json: bool) -> None:
    """List the connector's batches, newest first."""
    from city.exchange.views import batches
    from engine.domain.errors import GridcaseError

    try:
        found = batches(city_bus(settings).deps, code, direction, page)
    except GridcaseError as exc:
        click.echo(f"refused: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        sys.exit(REFUSED_EXIT)
    if as_json:
        _print(found)
        return
    click.echo(f"outbox: {found['outbox']}\ninbox: {found['inbox']}")
    for batch in found["batches"]:
        click.echo(f"{batch['direction']:6} {batch['seq']:>6} {batch['file_name']} {batch['records']} records "
                   f"{batch['ack_status'] or 'unacknowledged'} {batch['created_at']}")
