"""``gridcase demo``: the demo city (seed) and its simulated days (simulate)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import click

from cli import assessment_registry
from cli.city import load_package
from cli.transport import load_registry, registry_files
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CITY_DIR = ROOT / "config" / "city" / "zhangzhou"
DEMO_ADMIN = "admin"  # users.json's admin


@click.group()
def demo() -> None:
    """The demo city (Zhangzhou's urban area)."""


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when a city is already loaded (make run uses this).")
@click.pass_obj
def demo_seed(settings: Settings, if_empty: bool) -> None:
    """Load the demo city's package (config/city/zhangzhou: profile, grids, streets, catalogue, channels, people,
    duty windows), replacing any city loaded before, in one unit of work; then its transport registries
    (config/city/zhangzhou/transport) and assessment registries (config/city/zhangzhou/assessment)."""
    from city.bootstrap import bootstrap
    from city.catalog.loading import city_stats

    if if_empty and city_stats(bootstrap(settings.database_url).deps)["unit_grids"]:
        click.echo("a city is already loaded: nothing to do")
        return
    load_package(settings, CITY_DIR, "demo")
    bus = bootstrap(settings.database_url)
    # the transport registries (渣土运输登记) through the same command as the API, as the demo's admin
    load_registry(bus, registry_files((CITY_DIR / "transport",)), DEMO_ADMIN)
    # the assessment registries (考评登记: 物业企业, 考评对象, 考评细则), the same way
    assessment_registry.load_registry(bus, assessment_registry.registry_files((CITY_DIR / "assessment",)), DEMO_ADMIN)
    click.echo(json.dumps(city_stats(bus.deps)))


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

    from city.bootstrap import bootstrap
    from demo.simulate import PROCESS, Simulation
    from engine.domain.clock import FakeClock
    from engine.domain.commands import DeployProcesses
    from engine.persistence.repositories.versions import latest_version
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
    # the engine's working time: it reads the duty calendar loaded in the database, as the lifecycle's deadlines do
    simulation = Simulation(bus, clock, bus.deps.working_time, seed=seed, per_day=per_day)
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
