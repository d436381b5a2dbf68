"""``gridcase components``: the component (部件) registry routing by owner reads — load a census file, show it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from web.settings import Settings


@click.group()
def components() -> None:
    """The component registry (部件普查): each component's id, class, location, owner and state."""


@components.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id-field", default="id", show_default=True, help="The property/column holding the census id.")
@click.option("--class-field", default="class", show_default=True,
              help="The property/column holding the class (a 部件 subtype code of the catalogue).")
@click.option("--owner-field", default="owner", show_default=True,
              help="The property/column holding the owner: a department code, or external:NAME.")
@click.option("--state-field", default="state", show_default=True,
              help="The property/column holding the state (in_use, damaged, stopped, removed; in_use if empty).")
@click.option("--lon-field", default="lon", show_default=True, help="CSV only: the longitude (or x) column.")
@click.option("--lat-field", default="lat", show_default=True, help="CSV only: the latitude (or y) column.")
@click.option("--crs", default=None, help="CSV only: the coordinate system of lon/lat when projected (EPSG:4547).")
@click.option("--replace", is_flag=True, help="The registry becomes exactly this file (default: merge by id).")
@click.pass_obj
def components_load(settings: Settings, file: Path, id_field: str, class_field: str, owner_field: str,
                    state_field: str, lon_field: str, lat_field: str, crs: str | None, replace: bool) -> None:
    """Load a census of components from GeoJSON/Shapefile/GeoPackage points or CSV, all or nothing."""
    from city.bootstrap import bootstrap
    from city.routing.commands import LoadComponents
    from city.routing.points import ComponentFileError, Fields, read_components

    fields = Fields(id_field, class_field, owner_field, state_field, lon_field, lat_field)
    try:
        rows = read_components(file, fields, crs)
    except ComponentFileError as exc:
        raise click.ClickException(str(exc)) from None
    result = bootstrap(settings.database_url).handle(
        LoadComponents(tuple(rows), str(file), replace=replace, actor="cli"))
    click.echo(json.dumps(result, ensure_ascii=False))


@components.command("show")
@click.pass_obj
def components_show(settings: Settings) -> None:
    """Components per class and state, and the newest loads, as JSON."""
    from city.bootstrap import bootstrap
    from city.persistence.read.components import registry_summary

    with bootstrap(settings.database_url).deps.uow(read_only=True) as uow:
        click.echo(json.dumps(registry_summary(uow.store), ensure_ascii=False))
