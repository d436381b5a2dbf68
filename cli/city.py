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
    """The features of a GeoJSON FeatureCollection file (none without a file); a ClickException names the file.
    ``fields`` maps the properties gridcase reads (``code``, ``name``, ``district``) to the file's own names."""
    if path is None:
        return []
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot be read ({exc})") from None
    except ValueError as exc:
        hint = "convert a CSV, Shapefile or GeoPackage to GeoJSON first (ogr2ogr -f GeoJSON)"
        raise click.ClickException(f"{path}: not GeoJSON ({exc}); a grid file is a GeoJSON FeatureCollection: {hint}"
                                   ) from None
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise click.ClickException(f"{path}: not a GeoJSON FeatureCollection (a 'features' list of Feature objects)")
    return [_renamed(feature, fields or {}, path, number) for number, feature in enumerate(features, start=1)]


def _renamed(feature: dict[str, Any], fields: dict[str, str], path: Path, number: int) -> dict[str, Any]:
    """The feature with the file's own property names read as gridcase's (``--code-field NAME`` …)."""
    props = feature.get("properties")
    props = dict(props) if isinstance(props, dict) else {}
    for ours, theirs in fields.items():
        if theirs not in props:
            if ours == "name":
                continue  # a grid without a name is named by its code
            raise click.ClickException(f"{path}: feature {number} has no {theirs!r} property (--{ours}-field)")
        props[ours] = None if props[theirs] is None else str(props[theirs])
    return {**feature, "properties": props}


@city.command("load")
@click.option("--unit-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--resp-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--districts", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--code-field", default=None, help="The property holding each feature's code (default: code).")
@click.option("--name-field", default=None, help="The property holding each feature's name (default: name).")
@click.option("--district-field", default=None,
              help="The responsibility grids' property naming their district (default: district).")
@click.option("--repair", is_flag=True, help="Make invalid geometry valid (make_valid) and report which, instead of "
              "refusing the load.")
@click.pass_obj
def city_load(settings: Settings, unit_grids: Path, resp_grids: Path, districts: Path | None,
              code_field: str | None, name_field: str | None, district_field: str | None, repair: bool) -> None:
    """Replace the city's grids from GeoJSON boundary files in longitude/latitude (each feature's code in its
    'code' property, or the one --code-field names)."""
    from city.bootstrap import bootstrap
    from city.commands import LoadCity

    fields = {ours: theirs for ours, theirs in (("code", code_field), ("name", name_field)) if theirs}
    resp_fields = {**fields, **({"district": district_field} if district_field else {})}
    counts = bootstrap(settings.database_url).handle(LoadCity(tuple(read_features(unit_grids, fields)),
                                                              tuple(read_features(resp_grids, resp_fields)),
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
