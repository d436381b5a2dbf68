"""``gridcase enforcement transfer CASE_NO --reason … --as USER`` (转执法): sends the same TransferToEnforcement as
``POST /api/v1/cases/{case_no}/enforcement`` and the case page's button, so it refuses the same things (each named
with its field, exit 1, nothing written). It joins the ``gridcase enforcement`` group of cli/enforcement_records.py,
which the command line loads from here."""

from __future__ import annotations

import click

from cli.enforcement_records import enforcement
from cli.options import city_bus
from web.settings import Settings

__all__ = ["enforcement"]


@enforcement.command("transfer")
@click.argument("case_no")
@click.option("--reason", required=True, help="Why the case goes to enforcement (移送理由).")
@click.option("--as", "username", required=True, help="Who transfers: a dispatcher, shift lead or supervisor, or a"
                                                      " member of the department disposing of the case.")
@click.pass_obj
def enforcement_transfer(settings: Settings, case_no: str, reason: str, username: str) -> None:
    """Transfer a case to enforcement; prints the enforcement case's number and team."""
    from city.enforcement.commands import TransferToEnforcement
    from engine.domain.errors import GridcaseError

    bus = city_bus(settings)
    with bus.deps.uow(read_only=True) as uow:
        if uow.accounts.user(username) is None:
            raise click.ClickException(f"--as: no account {username!r}")
    try:
        result = bus.handle(TransferToEnforcement(case_no, reason, username))
    except GridcaseError as exc:
        field = f"{exc.field}: " if getattr(exc, "field", None) else ""
        raise click.ClickException(f"refused: {field}{exc.message} (nothing was transferred)") from None
    click.echo(f"case {result['case_no']} transferred to enforcement: case {result['enforcement_case_no']}"
               f" (record {result['enforcement_id']}), team {result['team']}")
