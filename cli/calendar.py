"""``gridcase calendar``: the official working-day calendar (holidays and make-up working days)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from web.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CALENDAR_FILE = ROOT / "config" / "calendar" / "china.json"


@click.group()
def calendar() -> None:
    """The official working-day calendar (holidays and make-up working days)."""


def _dates(text: str, option: str) -> list[date]:
    try:
        return [date.fromisoformat(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@calendar.command("add-year")
@click.argument("year", type=click.IntRange(2000, 2200))
@click.option("--holidays", default="", help="Comma-separated dates off (YYYY-MM-DD), from the State Council notice.")
@click.option("--workdays", default="", help="Comma-separated weekend dates that are working days (调休).")
@click.option("--file", "path", type=click.Path(path_type=Path), default=CALENDAR_FILE, show_default=True)
def calendar_add_year(year: int, holidays: str, workdays: str, path: Path) -> None:
    """Add or replace YEAR in the calendar table; until a year is added it counts Monday–Friday."""
    from engine.domain.working_time import HolidayCalendar

    table = HolidayCalendar.from_file(path) if path.exists() else HolidayCalendar()
    off, on = _dates(holidays, "--holidays"), _dates(workdays, "--workdays")
    try:
        fresh = HolidayCalendar()
        fresh.add_year(year, off, on)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    table.holidays = {d for d in table.holidays if d.year != year} | fresh.holidays
    table.workdays = {d for d in table.workdays if d.year != year} | fresh.workdays
    table.known_years.add(year)
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data["years"] = table.to_dict()["years"]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    click.echo(f"{year}: {len(off)} holidays, {len(on)} make-up working days written to {path}")


@calendar.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def calendar_status(settings: Settings, as_json: bool) -> None:
    """The years the holiday table covers, and warnings for this or next year without data."""
    working_time = settings.working_time()
    years = sorted(working_time.calendar.known_years)
    warnings = working_time.calendar.warnings(datetime.now(working_time.zone).date())
    if as_json:
        click.echo(json.dumps({"file": str(settings.calendar_file), "years": years, "warnings": warnings},
                              ensure_ascii=False))
        return
    click.echo(f"{settings.calendar_file}: {years[0]}–{years[-1]}" if years else f"{settings.calendar_file}: empty")
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
