"""``gridcase calendar|city|demo|rules``: the city's data, its working-time calendar and its rules."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CALENDAR_FILE = ROOT / "config" / "calendar" / "china.json"
CITY_DIR = Path(__file__).resolve().parents[1] / "config" / "city" / "zhangzhou"


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


@click.group()
def city() -> None:
    """The city: grids and catalogue."""


def _features(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    if data.get("type") != "FeatureCollection":
        raise click.ClickException(f"{path}: not a GeoJSON FeatureCollection")
    features: list[dict[str, Any]] = data["features"]
    return features


@city.command("load")
@click.option("--unit-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--resp-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--districts", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def city_load(settings: Settings, unit_grids: Path, resp_grids: Path, districts: Path | None) -> None:
    """Replace the city's grids from GeoJSON boundary files (features need a 'code' property)."""
    from engine.domain.commands import LoadCity
    from engine.service.bootstrap import bootstrap

    counts = bootstrap(settings.database_url).handle(LoadCity(tuple(_features(unit_grids)),
                                                              tuple(_features(resp_grids)),
                                                              tuple(_features(districts)), actor="cli"))
    click.echo(json.dumps(counts))


@city.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.pass_obj
def city_stats_command(settings: Settings, as_json: bool) -> None:
    """Counts of the city's stored data."""
    from engine.service.bootstrap import bootstrap
    from engine.service.city import city_stats

    click.echo(json.dumps(city_stats(bootstrap(settings.database_url).deps)))


@click.group()
def demo() -> None:
    """The demo city (Zhangzhou's urban area)."""


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when a city is already loaded (make run uses this).")
@click.pass_obj
def demo_seed(settings: Settings, if_empty: bool) -> None:
    """Load the demo city's grids and catalogue (replacing any loaded before)."""
    from dataclasses import asdict

    from config.city.catalog import load_catalog as read_catalog
    from engine.domain.commands import LoadCatalog, LoadCity
    from engine.service.bootstrap import bootstrap
    from engine.service.city import city_stats

    folder = CITY_DIR
    bus = bootstrap(settings.database_url)
    if if_empty and city_stats(bus.deps)["unit_grids"]:
        click.echo("a city is already loaded: nothing to do")
        return
    bus.handle(LoadCity(tuple(_features(folder / "unit_grids.geojson")),
                        tuple(_features(folder / "resp_grids.geojson")),
                        tuple(_features(folder / "districts.geojson")), actor="demo"))
    catalog = read_catalog(folder)
    users = tuple({**asdict(u), "password": catalog.demo_password} for u in catalog.users.values())
    bus.handle(LoadCatalog(tuple(asdict(a) for a in catalog.aspects.values()),
                           tuple(asdict(s) for s in catalog.subtypes.values()),
                           tuple(asdict(d) for d in catalog.departments.values()), users, actor="demo"))
    click.echo(json.dumps(city_stats(bus.deps)))


@click.group()
def rules() -> None:
    """DMN decision tables (FEEL)."""


@rules.command("eval")
@click.argument("dmn_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", "decision_id", required=True, help="The decision to evaluate.")
def rules_eval(dmn_file: Path, decision_id: str) -> None:
    """Evaluate DECISION for each JSON object of inputs on stdin; one JSON result per line on stdout."""
    from engine.bpmn.dmn_file import parse_dmn
    from engine.domain.decision_table import evaluate_decision

    try:
        decisions, requirements = parse_dmn(dmn_file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(f"{dmn_file}: {exc}") from None
    if decision_id not in decisions:
        raise click.ClickException(f"{dmn_file}: no decision {decision_id!r} (has: {', '.join(sorted(decisions))})")
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            inputs = json.loads(line)
            if not isinstance(inputs, dict):
                raise ValueError("each line must be a JSON object of inputs")
            result: object = evaluate_decision(decisions, requirements, decision_id, inputs)
        except ValueError as exc:  # bad JSON, FEEL and decision errors: report and carry on
            result = {"error": f"line {number}: {exc}"}
        click.echo(json.dumps(result, ensure_ascii=False, default=str))


@demo.command("simulate")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660), help="Simulated days.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First simulated day (default: DAYS days before today, so the data ends today).")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed, the same cases.")
@click.option("--per-day", default=40.0, show_default=True, type=click.FloatRange(0.1, 5000),
              help="Mean reports a day.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def demo_simulate(settings: Settings, days: int, start: datetime | None, seed: int, per_day: float,
                  as_json: bool) -> None:
    """Run simulated reports through the case lifecycle over DAYS days, with simulated people.

    Days start at midnight in the city's time zone, so the same seed on the same days gives the same cases.
    """

    from demo.simulate import PROCESS, Simulation
    from engine.domain.clock import FakeClock
    from engine.domain.commands import DeployProcesses
    from engine.persistence.versions import latest_version
    from engine.service.bootstrap import bootstrap
    from engine.service.deploy import read_sources

    zone = settings.working_time().zone
    first_day = start.date() if start else datetime.now(zone).date() - timedelta(days=days)
    begin = datetime.combine(first_day, time(0), zone)
    clock = FakeClock(begin)
    bus = bootstrap(settings.database_url, clock, working_time=settings.working_time())
    with bus.deps.uow(read_only=True) as uow:
        deployed = latest_version(uow.store, PROCESS) is not None
    if not deployed:
        bus.handle(DeployProcesses(read_sources([ROOT / "workflows", ROOT / "rules"]), "demo", "demo simulate"))
        click.echo(f"deployed {PROCESS} from workflows/ and rules/", err=True)
    simulation = Simulation(bus, clock, settings.working_time(), seed=seed, per_day=per_day)
    hours = days * 24
    with click.progressbar(length=hours, label=f"simulating {days} days", file=sys.stderr) as bar:
        done = [0]

        def progress(now: datetime) -> None:
            passed = min(hours, int((now - begin).total_seconds() // 3600))
            if passed > done[0]:
                bar.update(passed - done[0])
                done[0] = passed

        summary = simulation.run(begin, days, progress)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
        return
    click.echo(f"{summary.reports} reports, {summary.commands} commands, {summary.timers_fired} timers fired")
    for state, count in summary.by_state.items():
        click.echo(f"  {state}: {count}")
    share = "n/a" if summary.on_time_share is None else f"{summary.on_time_share:.1%}"
    click.echo(f"closed on time: {summary.closed_on_time}/{summary.closed} ({share}); voided {summary.voided}")
    if summary.rejected:
        click.echo(f"warning: {summary.rejected} simulated actions were rejected", err=True)
