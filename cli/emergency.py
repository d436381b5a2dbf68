"""`gridcase emergency`: emergency command (应急指挥).

``gridcase emergency declare`` sends the same ``DeclareEmergency`` command as ``POST /api/v1/emergencies``, so it
refuses the same things (every field at fault named, exit 1, nothing written); ``--as USER`` is who declares (a
supervisor, shift lead or admin). Without ``--teams-file`` the city's defaults call their teams
(the city package's emergency_defaults.json). ``gridcase emergency status [ID] [--json]`` lists the emergencies or
shows one's assembly by team; ``gridcase emergency end ID --as USER`` ends it (its commander, or a supervisor, shift
lead or admin).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.options import city_bus, codes, moment
from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus


def _handle(bus: MessageBus, command: Any, username: str, what: str) -> dict[str, Any]:
    """Send ``command`` as ``username`` (an account); refusals become the command line's messages."""
    from engine.domain.errors import GridcaseError
    from engine.domain.forms import FieldsRejected

    with bus.deps.uow(read_only=True) as uow:
        if uow.accounts.user(username) is None:
            raise click.ClickException(f"--as: no account {username!r}")
    try:
        result: dict[str, Any] = bus.handle(command)
    except FieldsRejected as exc:
        named = "; ".join(f"{field}: {message}" for field, message in sorted(exc.fields.items()))
        raise click.ClickException(f"refused: {named} (nothing was {what})") from None
    except GridcaseError as exc:
        field = f"{exc.field}: " if getattr(exc, "field", None) else ""
        raise click.ClickException(f"refused: {field}{exc.message}") from None
    return result


@click.group()
def emergency() -> None:
    """Emergency command (应急指挥)."""


@emergency.command("declare")
@click.option("--kind", required=True, help="typhoon, flood, rainstorm, fire or other.")
@click.option("--level", required=True, help="Response level: I, II, III or IV.")
@click.option("--districts", default=None, help="District codes of the area, comma-separated.")
@click.option("--streets", default=None, help="Street codes of the area, comma-separated.")
@click.option("--starts", required=True, help="Start (ISO date and time; UTC without a zone).")
@click.option("--ends", required=True, help="End (ISO date and time; UTC without a zone).")
@click.option("--commander", required=True, help="The commander's username (总指挥).")
@click.option("--name", default="", help="The event's name, e.g. 台风 杜鹃.")
@click.option("--ack-minutes", type=int, default=None, help="Minutes to acknowledge (default: the city's, 20).")
@click.option("--signal-kinds", default=None, help="Subtype or major codes whose waiting cases are told.")
@click.option("--teams-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSON list of teams {name, role?, districts?, departments?, leader?} (default: the city's).")
@click.option("--as", "username", required=True, help="Who declares: a supervisor, shift lead or admin.")
@click.pass_obj
def emergency_declare(settings: Settings, kind: str, level: str, districts: str | None, streets: str | None,
                      starts: str, ends: str, commander: str, name: str, ack_minutes: int | None,
                      signal_kinds: str | None, teams_file: Path | None, username: str) -> None:
    """Declare an emergency; prints its id, case number and how many people are called."""
    from city.emergency.commands import DeclareEmergency
    from city.emergency.status import emergency_detail

    teams: tuple[dict[str, Any], ...] = ()
    if teams_file is not None:
        loaded = json.loads(teams_file.read_text(encoding="utf-8"))
        if not isinstance(loaded, list):
            raise click.ClickException("--teams-file must hold a JSON list of teams")
        teams = tuple(loaded)
    command = DeclareEmergency(kind=kind, level=level, area={"districts": codes(districts),
                                                             "streets": codes(streets)},
                               starts_at=moment(starts, "--starts").isoformat(),
                               ends_at=moment(ends, "--ends").isoformat(),
                               commander=commander, actor=username, name=name, teams=teams,
                               ack_within_minutes=ack_minutes, signal_kinds=tuple(codes(signal_kinds)))
    bus = city_bus(settings)
    result = _handle(bus, command, username, "declared")
    called = emergency_detail(bus.deps, result["id"])["assembly"]["called"]
    click.echo(f"declared emergency {result['id']} (case {result['case_no']}): {called} people called")


@emergency.command("status")
@click.argument("emergency_id", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def emergency_status(settings: Settings, emergency_id: int | None, as_json: bool) -> None:
    """The emergencies, or one emergency with its assembly by team."""
    from city.emergency import status
    from engine.domain.errors import NotFound

    deps = city_bus(settings).deps
    try:
        found: Any = status.emergency_list(deps) if emergency_id is None else {
            **status.emergency_detail(deps, emergency_id), "teams": status.assembly(deps, emergency_id)["teams"]}
    except NotFound as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, default=str, indent=1))
        return
    if emergency_id is None:
        for row in found:
            click.echo(f"{row['id']}\t{row['case_no']}\t{row['kind']}\t{row['level']}\t{row['state']}\t"
                       f"{row['commander']}\t{row['starts_at']:%Y-%m-%d %H:%M}")
        return
    totals = found["assembly"]
    click.echo(f"emergency {found['id']} {found['kind']} level {found['level']} ({found['state']}, case "
               f"{found['case_no']}), commander {found['commander']}")
    click.echo(f"  called {totals['called']}: acknowledged {totals['acknowledged']}, escalated "
               f"{totals['escalated']}, checked in {totals['checked_in']}")
    for team in found["teams"]:
        click.echo(f"  {team['team']}: {team['called']} called, {team['acknowledged']} acknowledged, "
                   f"{team['escalated']} escalated, {team['checked_in']} checked in")


@emergency.command("end")
@click.argument("emergency_id", type=int)
@click.option("--summary", default="", help="What happened (总结).")
@click.option("--as", "username", required=True, help="The commander, or a supervisor, shift lead or admin.")
@click.pass_obj
def emergency_end(settings: Settings, emergency_id: int, summary: str, username: str) -> None:
    """End an emergency: its area returns to the usual rules, open calls close."""
    from city.emergency.commands import EndEmergency
    from city.emergency.status import emergency_detail
    from engine.domain.errors import NotFound
    from engine.service.accounts import principal
    from web.policy import DECLARE_EMERGENCIES

    bus = city_bus(settings)
    who = principal(bus.deps, username)
    try:
        found = emergency_detail(bus.deps, emergency_id)
    except NotFound as exc:
        raise click.ClickException(exc.message) from None
    if who is not None and who.username != found["commander"] and who.role not in DECLARE_EMERGENCIES:
        raise click.ClickException(f"--as: {username} may not end an emergency it does not command")
    _handle(bus, EndEmergency(emergency_id, username, summary), username, "ended")
    click.echo(f"ended emergency {emergency_id}")


from cli.emergency_report import emergency_report  # noqa: E402 (the after-action report has its own module)

emergency.add_command(emergency_report)
