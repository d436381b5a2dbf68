"""``gridcase city calendar``: the city's duty calendar (值班时间表: duty windows by season, 24-hour subtypes)."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path

import click

from web.settings import Settings


@click.group("calendar")
def city_calendar() -> None:
    """The duty calendar: versions of the duty windows (docs/duty-windows.md)."""


@city_calendar.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--comment", default="", help="Why the calendar changed.")
@click.option("--actor", default=None, help="Who loads it (default: the login name).")
@click.option("--if-empty", is_flag=True, help="Do nothing when a duty calendar is loaded already (make run).")
@click.pass_obj
def calendar_load(settings: Settings, file: Path, comment: str, actor: str | None, if_empty: bool) -> None:
    """Store the versions of FILE (config/duty_calendar.json's format): all of them, or none when one is invalid."""
    from city.bootstrap import bootstrap
    from engine.domain.calendar_commands import LoadDutyCalendar
    from engine.domain.errors import GridcaseError
    from engine.service.calendars import has_calendar

    bus = bootstrap(settings.database_url, working_time=settings.working_time())
    if if_empty and has_calendar(bus.deps):
        click.echo("a duty calendar is loaded already: nothing to do")
        return
    try:
        content = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not UTF-8 text") from None
    try:
        loaded = bus.handle(LoadDutyCalendar(content, actor or getpass.getuser(), comment))
    except GridcaseError as exc:  # name the field: the file's author must find it
        field = exc.field or ""
        named = f"{field}: " if field and field not in exc.message else ""
        raise click.ClickException(f"{file}: {named}{exc.message}") from None
    click.echo(json.dumps({"added": list(loaded.added), "unchanged": loaded.unchanged}))


@city_calendar.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print every version as JSON.")
@click.pass_obj
def calendar_show(settings: Settings, as_json: bool) -> None:
    """The stored versions, newest loaded first; the one in force today is marked with *."""
    from city.bootstrap import bootstrap
    from engine.service.calendars import calendar_versions

    working_time = settings.working_time()
    bus = bootstrap(settings.database_url, working_time=working_time)
    today = datetime.now(working_time.zone).date()
    versions = calendar_versions(bus.deps, today)
    if as_json:
        click.echo(json.dumps({"versions": versions, "warnings": working_time.warnings(today)}, ensure_ascii=False))
        return
    if not versions:
        click.echo("no duty calendar loaded: the default duty windows apply")
    for v in versions:
        seasons = "; ".join(f"{s['name'] or '?'} {s['from']}..{s['to']} "
                            + ",".join(f"{a}-{b}" for a, b in s["windows"]) for s in v["seasons"])
        mark = "*" if v["in_force"] else " "
        click.echo(f"{mark} {v['id']}\tfrom {v['effective_from']}\t{seasons}\t24h: "
                   f"{','.join(v['round_the_clock_subtypes']) or '-'}\t{v['loaded_by']}\t{v['comment']}")
