"""``gridcase city``: load a city's grids and show what is loaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from web.settings import Settings


@click.group()
def city() -> None:
    """The city: grids and catalogue."""


def read_features(path: Path | None, fields: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The features of a GeoJSON, Shapefile or GeoPackage file in longitude/latitude (none without a file); a
    ClickException names the file. ``fields`` maps the properties gridcase reads (``code``, ``name``, ``district``)
    to the file's own names."""
    from city.grids.readers import GridFileError, read_grid_file

    if path is None:
        return []
    try:
        return read_grid_file(path, fields)
    except GridFileError as exc:
        raise click.ClickException(str(exc)) from None


@city.command("load")
@click.option("--unit-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--resp-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--districts", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--code-field", default=None, help="The property holding each feature's code (default: code).")
@click.option("--name-field", default=None, help="The property holding each feature's name (default: name).")
@click.option("--district-field", default=None,
              help="The responsibility grids' property naming their district (default: district).")
@click.option("--dissolve-resp-from-units", "resp_field", default=None, metavar="FIELD",
              help="Make the responsibility grids by dissolving the unit grids on their property FIELD (instead "
              "of --resp-grids); each takes its units' district (--district-field).")
@click.option("--repair", is_flag=True, help="Make invalid geometry valid (make_valid) and report which, instead of "
              "refusing the load.")
@click.pass_obj
def city_load(settings: Settings, unit_grids: Path, resp_grids: Path | None, districts: Path | None,
              code_field: str | None, name_field: str | None, district_field: str | None, resp_field: str | None,
              repair: bool) -> None:
    """Replace the city's grids from GeoJSON, Shapefile or GeoPackage boundary files (reprojected to
    longitude/latitude; each feature's code in its 'code' property, or the one --code-field names)."""
    from city.bootstrap import bootstrap
    from city.commands import LoadCity
    from city.grids.readers import GridFileError, dissolve

    if (resp_grids is None) == (resp_field is None):
        raise click.UsageError("give either --resp-grids or --dissolve-resp-from-units FIELD (one of them)")
    fields = {ours: theirs for ours, theirs in (("code", code_field), ("name", name_field)) if theirs}
    resp_fields = {**fields, **({"district": district_field} if district_field else {})}
    if resp_field is not None:
        units = read_features(unit_grids, resp_fields)
        try:
            resps = dissolve(units, resp_field, unit_grids, "--dissolve-resp-from-units")
        except GridFileError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        units, resps = read_features(unit_grids, fields), read_features(resp_grids, resp_fields)
    counts = bootstrap(settings.database_url).handle(LoadCity(tuple(units), tuple(resps),
                                                              tuple(read_features(districts, fields)), actor="cli",
                                                              repair=repair))
    click.echo(json.dumps(counts))


@city.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format).")
@click.pass_obj
def city_stats_command(settings: Settings, as_json: bool) -> None:
    """Counts of the city's stored data."""
    from city.bootstrap import bootstrap
    from city.catalog.loading import city_stats

    click.echo(json.dumps(city_stats(bootstrap(settings.database_url).deps)))


from cli.city_calendar import city_calendar  # noqa: E402  (the subgroup imports nothing heavy at load)

city.add_command(city_calendar)
