"""``gridcase assessment round start|list``: the assessment rounds (考评轮次).

``gridcase assessment round start --scheme S --as USER`` sends ``StartAssessmentRound`` — the same command as
``POST /api/v1/assessment/rounds``: the scheme's round of the current period with one inspection case per active
object; a refusal (not a shift lead, supervisor or admin; no checklist or no active object; the period's round
exists) is printed and the command exits 2, nothing started. ``gridcase assessment round list [--scheme S]
[--json]`` prints the rounds with their counts."""

from __future__ import annotations

import json

import click

from cli.options import city_bus, handled_or_exit
from engine.persistence.assessment_records import SCHEMES
from web.settings import Settings

COLUMNS = ("id", "scheme", "period", "state", "objects", "inspected", "open", "overdue", "average_score", "due_at",
           "case_id")


@click.group("round")
def assessment_round() -> None:
    """Assessment rounds (考评轮次): start one by hand, list them."""


@assessment_round.command("start")
@click.option("--scheme", type=click.Choice(SCHEMES), required=True, help="garbage_sorting or property.")
@click.option("--as", "username", required=True, help="Who starts it: a shift lead, supervisor or admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def round_start(settings: Settings, scheme: str, username: str, as_json: bool) -> None:
    """Start the scheme's round of the current period now (exit 2 when refused, nothing started)."""
    from city.assessment.commands import StartAssessmentRound

    result = handled_or_exit(city_bus(settings), StartAssessmentRound(scheme, username), " (no round was started)")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"round {result['round_id']} ({scheme} {result['period']}): case {result['case_no']},"
               f" {result['objects']} objects to inspect")


@assessment_round.command("list")
@click.option("--scheme", type=click.Choice(SCHEMES), default=None, help="Only this scheme's rounds.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_obj
def round_list(settings: Settings, scheme: str | None, as_json: bool) -> None:
    """Print the rounds, newest first: one tab-separated row each, with a header (or JSON)."""
    from city.assessment import round_views

    rows = round_views.round_list(city_bus(settings).deps, scheme)
    if as_json:
        click.echo(json.dumps({"rounds": rows}, ensure_ascii=False))
        return
    click.echo("\t".join(COLUMNS))
    for row in rows:
        click.echo("\t".join("" if row.get(c) is None else str(row[c]) for c in COLUMNS))


COMMANDS: list[click.Command] = [assessment_round]
