"""``gridcase transport``: construction-waste transport supervision's registries (渣土运输登记).

``gridcase transport load DIR|FILE… --as USER`` sends the registry files to ``LoadTransportRegistry`` — the same
command as ``POST /api/v1/transport/registry`` and the admin page, so it refuses the same things: every problem is
printed as ``file: row N: field: message`` and the command exits 2, nothing loaded. A folder is read for the four
files it holds (companies.csv, vehicles.csv, sites.geojson, permits.geojson); files are named by their base name.
``gridcase transport list companies|vehicles|sites|permits [--company CODE] [--json]`` prints a registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from city.transport.registry_files import REGISTRIES
from cli.options import city_bus, handled_or_exit, read_registry_files
from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus



def registry_files(paths: tuple[Path, ...]) -> dict[str, str]:
    """The files of a load by name: a folder's registry files, or each file under its base name."""
    from city.transport.registry_files import FILE_NAMES

    return read_registry_files(paths, FILE_NAMES)


def load_registry(bus: MessageBus, files: dict[str, str], username: str) -> dict[str, Any]:
    """Send the files as ``username``; a refusal prints each problem and exits 2 (nothing loaded)."""
    from city.transport.commands import LoadTransportRegistry

    result: dict[str, Any] = handled_or_exit(bus, LoadTransportRegistry(files, username), " (nothing was loaded)")
    return result


@click.group()
def transport() -> None:
    """Construction-waste transport supervision (渣土运输监管): the registries."""


@transport.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "username", required=True, help="Who loads them: an admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def transport_load(settings: Settings, paths: tuple[Path, ...], username: str, as_json: bool) -> None:
    """Load registry files (a folder of them, or the files): rows inserted or updated by code, in one unit of
    work; any problem refuses the whole load (exit 2)."""
    result = load_registry(city_bus(settings), registry_files(paths), username)
    if as_json:
        click.echo(json.dumps(result))
        return
    for registry in REGISTRIES:
        counts = result[registry]
        click.echo(f"{registry}: {counts['inserted']} inserted, {counts['updated']} updated,"
                   f" {counts['unchanged']} unchanged")


COLUMNS = {"companies": ("code", "name", "credit_code", "contact", "phone", "active", "vehicles", "permits"),
           "vehicles": ("plate", "company_code", "company_name", "device_id", "active"),
           "sites": ("code", "name", "kind", "company_code"),  # company_code: a depot's (停车场)
           "permits": ("code", "company_code", "source_site", "disposal_site", "corridor_width_m", "valid_from",
                       "valid_to", "hours", "state", "plates")}


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


@transport.command("list")
@click.argument("registry", type=click.Choice(REGISTRIES))
@click.option("--company", default=None, help="Vehicles: only this company's (its code).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON (with geometry for sites, permits).")
@click.pass_obj
def transport_list(settings: Settings, registry: str, company: str | None, as_json: bool) -> None:
    """Print a registry: one tab-separated row per entry, with a header (or JSON)."""
    from city.transport import registry_views

    rows = registry_views.registry_list(city_bus(settings).deps, registry, company)
    if as_json:
        click.echo(json.dumps({registry: rows}, ensure_ascii=False))
        return
    click.echo("\t".join(COLUMNS[registry]))
    for row in rows:
        click.echo("\t".join(_cell(row.get(column)) for column in COLUMNS[registry]))
