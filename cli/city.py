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


def read_features(path: Path | None) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection file (none without a file); a ClickException names the file."""
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
    from city.bootstrap import bootstrap
    from city.commands import LoadCity

    counts = bootstrap(settings.database_url).handle(LoadCity(tuple(read_features(unit_grids)),
                                                              tuple(read_features(resp_grids)),
                                                              tuple(read_features(districts)), actor="cli"))
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
