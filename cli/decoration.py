"""``gridcase decoration``: indoor decoration works (室内装修工程).

``gridcase decoration register --as USER …`` sends ``RegisterDecorationWorks`` — the same command as
``POST /api/v1/decoration-works`` and the /decoration page, so it refuses the same things: every field at fault is
printed as ``field: message`` and the command exits 2, nothing written. ``removal CODE PERMIT --as USER`` registers
the waste's removal, ``cancel CODE --reason … --as USER`` cancels, ``list [--state] [--district] [--json]`` and
``show CODE`` print the works (a page at a time: ``--page``, ``--per-page``). Every ``--as`` must name an
account (exit 2 otherwise), whose role the command checks as the API's caller's."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from cli.options import REFUSED_EXIT, city_bus, handled_or_exit
from web.settings import Settings

if TYPE_CHECKING:
    from engine.domain.commands import Command
    from engine.service.bus import MessageBus

COLUMNS = ("code", "state", "district_code", "grid_code", "address", "owner_name", "starts_on", "ends_on",
           "expected_waste_m3", "permit_code", "company_code")


def send(bus: MessageBus, command: Command) -> Any:
    """Handle ``command`` as its ``--as`` account (which must exist: else exit 2 naming ``--as``); a refusal prints
    each field at fault (or the message) and exits 2."""
    from engine.service.accounts import principal
    from web.policy import REGISTER_DECORATION_WORKS, allows

    actor = str(getattr(command, "actor", ""))
    found = principal(bus.deps, actor)
    if found is None or not allows(found, REGISTER_DECORATION_WORKS):
        # the same accounts as the API lets through: an unknown one, or a role that may not register works
        click.echo(f"refused: --as: {'no account' if found is None else 'may not act on decoration works:'}"
                   f" {actor!r}", err=True)
        sys.exit(REFUSED_EXIT)
    return handled_or_exit(bus, command)


@click.group()
def decoration() -> None:
    """Indoor decoration works (室内装修工程): registration, the waste's removal, cancellation, lists."""


@decoration.command("register")
@click.option("--address", required=True, help="地址: the works' address.")
@click.option("--compound", default=None, help="小区: the compound's name.")
@click.option("--lon", required=True, type=float)
@click.option("--lat", required=True, type=float)
@click.option("--owner", required=True, help="业主: the owner's name.")
@click.option("--phone", required=True, help="联系电话: a mobile or a landline with its area code.")
@click.option("--contractor", required=True, help="施工单位: the contractor.")
@click.option("--starts-on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--ends-on", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--waste-m3", required=True, type=float, help="预计垃圾量: expected waste, cubic metres.")
@click.option("--as", "username", required=True, help="Who registers it.")
@click.pass_obj
def register(settings: Settings, address: str, compound: str | None, lon: float, lat: float, owner: str, phone: str,
             contractor: str, starts_on: Any, ends_on: Any, waste_m3: float, username: str) -> None:
    """Register a works: its code, case number and place are printed as JSON."""
    from city.decoration.commands import RegisterDecorationWorks

    start, end = starts_on.date(), ends_on.date()
    result = send(city_bus(settings), RegisterDecorationWorks(address, compound, lon, lat, owner, phone, contractor,
                                                              start, end, waste_m3, username))
    click.echo(json.dumps(result, ensure_ascii=False))


@decoration.command("removal")
@click.argument("code")
@click.argument("permit_code")
@click.option("--as", "username", required=True, help="Who registers the removal.")
@click.pass_obj
def removal(settings: Settings, code: str, permit_code: str, username: str) -> None:
    """Register the waste's removal of works CODE by transport permit PERMIT_CODE."""
    from city.decoration.commands import RegisterDecorationRemoval

    click.echo(json.dumps(send(city_bus(settings), RegisterDecorationRemoval(code, permit_code, username)),
                          ensure_ascii=False))


@decoration.command("cancel")
@click.argument("code")
@click.option("--reason", required=True, help="撤销原因.")
@click.option("--as", "username", required=True, help="Who cancels: the works' office or an admin.")
@click.pass_obj
def cancel(settings: Settings, code: str, reason: str, username: str) -> None:
    """Cancel works CODE."""
    from city.decoration.commands import CancelDecorationWorks

    click.echo(json.dumps(send(city_bus(settings), CancelDecorationWorks(code, reason, username)),
                          ensure_ascii=False))


@decoration.command("list")
@click.option("--state", type=click.Choice(("registered", "in_progress", "finished", "cancelled")), default=None)
@click.option("--district", default=None)
@click.option("--page", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 200), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def works_list(settings: Settings, state: str | None, district: str | None, page: int, per_page: int,
               as_json: bool) -> None:
    """Print a page of the works, newest first: tab-separated with a header (or JSON with the total)."""
    from city.decoration import views

    listed = views.works_list(city_bus(settings).deps, state, district, page, per_page)
    if as_json:
        click.echo(json.dumps(listed, ensure_ascii=False))
        return
    rows = listed["works"]
    click.echo("\t".join(COLUMNS))
    for row in rows:
        click.echo("\t".join("" if row.get(c) is None else str(row.get(c)) for c in COLUMNS))


@decoration.command("show")
@click.argument("code")
@click.pass_obj
def show(settings: Settings, code: str) -> None:
    """Print works CODE with its removal, inspections and linked cases, as JSON."""
    from city.decoration import views

    click.echo(json.dumps(send_read(lambda: views.works_detail(city_bus(settings).deps, code)), ensure_ascii=False))


def send_read(read: Any) -> Any:
    """A read that may not find its works: exit 2 with the message."""
    from engine.domain.errors import GridcaseError

    try:
        return read()
    except GridcaseError as exc:
        click.echo(f"refused: {exc.message}", err=True)
        sys.exit(REFUSED_EXIT)
