"""`gridcase campaign`: census campaigns (专项普查).

``gridcase campaign start`` sends the same ``StartCampaign`` command as the API, so it refuses the same things
(every field at fault named, exit 1, nothing written); ``--as USER`` is who starts it (a shift lead, supervisor or
admin). ``gridcase campaign end ID --reason … --as USER`` ends a running campaign early (``EndCampaign``, the same
roles). ``gridcase campaign status ID [--json]`` prints the campaign's progress and report;
``gridcase campaign topics`` lists the city's census and hazard topics with their checklists.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from cli.options import city_bus, codes, moment
from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus


def _team(text: str) -> dict[str, Any]:
    """``NAME=GROUP[:CODE,CODE…]``: codes of 6 characters are districts, longer ones streets."""
    name, _, rest = text.partition("=")
    group, _, places = rest.partition(":") if not rest.startswith("collector:") else _collector(rest)
    named = codes(places)
    return {"name": name.strip(), "group": group.strip(), "districts": [c for c in named if len(c) <= 6],
            "streets": [c for c in named if len(c) > 6]}


def _collector(rest: str) -> tuple[str, str, str]:
    """A ``collector:<district>`` group keeps its colon: the places follow a second one."""
    head, _, places = rest[len("collector:"):].partition(":")
    return f"collector:{head}", ":", places


@click.group()
def campaign() -> None:
    """Census campaigns (专项普查)."""


@campaign.command("start")
@click.option("--name", required=True, help="The campaign's name.")
@click.option("--topics", required=True, help="Topic codes, comma-separated (gridcase campaign topics).")
@click.option("--districts", default=None, help="District codes of the area, comma-separated.")
@click.option("--streets", default=None, help="Street codes of the area, comma-separated.")
@click.option("--grids", default=None, help="Unit grid codes of the area, comma-separated.")
@click.option("--starts", required=True, help="Start (ISO date and time; UTC without a zone).")
@click.option("--ends", required=True, help="End (ISO date and time; UTC without a zone).")
@click.option("--team", "teams", multiple=True, help="NAME=GROUP[:DISTRICTS or STREETS], repeatable.")
@click.option("--kind", default="census", show_default=True, type=click.Choice(["census", "hazard_survey"]))
@click.option("--as", "username", required=True, help="Who starts it: a shift lead, supervisor or admin.")
@click.pass_obj
def campaign_start(settings: Settings, name: str, topics: str, districts: str | None, streets: str | None,
                   grids: str | None, starts: str, ends: str, teams: tuple[str, ...], kind: str, username: str) -> None:
    """Start a campaign: one sweep per unit grid of the area; prints its number and grid count."""
    from city.campaigns.commands import StartCampaign

    area = {"districts": codes(districts), "streets": codes(streets), "grids": codes(grids)}
    command = StartCampaign(name, kind, tuple(codes(topics)), area, moment(starts, "--starts"),
                            moment(ends, "--ends"), tuple(_team(t) for t in teams), username)
    result = _handle(city_bus(settings), command, username)
    click.echo(f"started campaign {result['campaign_id']} (case {result['case_no']}): {result['grids']} grids")


def _handle(bus: MessageBus, command: Any, username: str, nothing: str = "nothing was started") -> dict[str, Any]:
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
        raise click.ClickException(f"refused: {named} ({nothing})") from None
    except GridcaseError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}" if exc.field else exc.message) from None
    return result


@campaign.command("end")
@click.argument("campaign_id", type=int)
@click.option("--reason", required=True, help="Why the campaign ends before its period is over (结束原因).")
@click.option("--as", "username", required=True, help="Who ends it: a shift lead, supervisor or admin.")
@click.pass_obj
def campaign_end(settings: Settings, campaign_id: int, reason: str, username: str) -> None:
    """End a running campaign early (结束普查): its open sweeps are closed and its report's review opens."""
    from city.campaigns.commands import EndCampaign

    _handle(city_bus(settings), EndCampaign(campaign_id, username, reason), username, "nothing was ended")
    click.echo(f"ended campaign {campaign_id} early: {reason.strip()}")


@campaign.command("status")
@click.argument("campaign_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def campaign_status(settings: Settings, campaign_id: int, as_json: bool) -> None:
    """A campaign's progress: grids done, findings, counts by topic, street and team, the report."""
    from city.campaigns.progress import campaign_status as status

    found = status(city_bus(settings).deps, campaign_id)
    if found is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, default=str, indent=1))
        return
    report = found["report"]
    click.echo(f"campaign {found['id']} {found['name']} ({found['kind']}, {found['state']}, case {found['case_no']})")
    click.echo(f"  grids: {found['grids_done']} done of {found['grid_count']} ({found['done_share']:.0%}); "
               f"light {found['light']}; overdue grids: {len(found['progress']['overdue_grids'])}")
    click.echo(f"  findings: {report['found']} found, {report['filed']} filed, {report['fixed']} fixed, "
               f"{report['open']} open")
    for topic, counts in sorted(report["by_topic"].items()):
        click.echo(f"  {topic}: {counts['found']} found, {counts['filed']} filed, {counts['fixed']} fixed")


@campaign.command("topics")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def campaign_topics(settings: Settings, as_json: bool) -> None:
    """The city's census (普查) and hazard (隐患) topics with their checklist items and subtypes."""
    from city.campaigns.progress import topic_catalogue

    topics = topic_catalogue(city_bus(settings).deps)
    if as_json:
        click.echo(json.dumps(topics, ensure_ascii=False, indent=1))
        return
    if not topics:
        click.echo("no topics: the city package has no campaign_topics.json")
    for topic in topics:
        state = "" if topic["enabled"] else " (disabled)"
        click.echo(f"{topic['code']}  [{topic['group']}] {topic['name']} / {topic['name_en']}{state}")
        for item in topic["checklist"]:
            click.echo(f"    {item['code']}: {item['label']} ({item['kind']}) → {', '.join(item['subtypes']) or '-'}")
