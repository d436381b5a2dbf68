"""``gridcase assessment round start|list``: the assessment rounds (考评轮次).

``gridcase assessment round start --scheme S --as USER`` sends ``StartAssessmentRound`` — the same command as
``POST /api/v1/assessment/rounds``: the scheme's round of the current period with one inspection per active
object — then starts the inspection cases itself chunk by chunk (``StartRoundInspections``, progress on
stderr; ``--no-wait`` leaves them to the scheduler); a refusal (not a shift lead, supervisor or admin; no
checklist or no active object; the period's round exists) is printed and the command exits 2, nothing started.
``gridcase assessment round list [--scheme S] [--json]`` prints the rounds with their counts."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from cli.options import city_bus, handled_or_exit
from engine.persistence.assessment_records import SCHEMES
from web.settings import Settings

COLUMNS = ("id", "scheme", "period", "state", "objects", "inspected", "open", "overdue", "average_score", "due_at",
           "case_id")


@click.group("round")
def assessment_round() -> None:
    """Assessment rounds (考评轮次): start one by hand, list them."""


def _start_inspections(bus: Any, round_id: int, pending: int, limit: int, pause: float) -> None:
    """Start the round's inspection cases chunk by chunk to the end (progress on stderr), pausing between chunks
    so other writers get the database."""
    from city.assessment.commands import StartRoundInspections

    total = pending
    while pending > 0:
        done = handled_or_exit(bus, StartRoundInspections(round_id, limit), " (start the rest again later: the"
                               " scheduler goes on with them)")
        if done["started"] == 0:
            break  # the round closed, or another process started the rest
        pending = int(done["pending"])
        click.echo(f"inspection cases started: {total - pending}/{total}", err=True)
        time.sleep(pause)


@assessment_round.command("start")
@click.option("--scheme", type=click.Choice(SCHEMES), required=True, help="garbage_sorting or property.")
@click.option("--as", "username", required=True, help="Who starts it: a shift lead, supervisor or admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-wait", is_flag=True, help="Only open the round: the scheduler starts its inspection cases.")
@click.option("--chunk", default=100, show_default=True, type=click.IntRange(1, 1000),
              help="Inspection cases started per transaction.")
@click.option("--pause", default=0.2, show_default=True, type=click.FloatRange(0, 10),
              help="Seconds between chunks, for other writers.")
@click.pass_obj
def round_start(settings: Settings, scheme: str, username: str, as_json: bool, no_wait: bool, chunk: int,
                pause: float) -> None:
    """Open the scheme's round of the current period now and start its inspection cases chunk by chunk (exit 2
    when refused, nothing started)."""
    from city.assessment.commands import StartAssessmentRound

    bus = city_bus(settings)
    result = handled_or_exit(bus, StartAssessmentRound(scheme, username), " (no round was started)")
    if not no_wait:
        _start_inspections(bus, int(result["round_id"]), int(result["pending"]), chunk, pause)
        result["pending"] = 0 if result["pending"] == 0 else _pending(bus, int(result["round_id"]))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"round {result['round_id']} ({scheme} {result['period']}): case {result['case_no']},"
               f" {result['objects']} objects to inspect, {result['pending']} inspection cases still to start")


def _pending(bus: Any, round_id: int) -> int:
    from city.assessment import round_views

    return int(round_views.one_round(bus.deps, round_id)["pending"])


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
