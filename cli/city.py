"""``gridcase city``: load a city package (or only its grids), export the loaded city, show what is loaded."""

from __future__ import annotations

import json
import sys
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


def load_package(settings: Settings, folder: Path, actor: str, password: str | None = None) -> dict[str, Any]:
    """Read the city package in ``folder`` and load it (``LoadCityPackage``); a ClickException names the problem.
    ``password``: the initial password of the package's new people that users.json gives none."""
    from city.bootstrap import bootstrap
    from city.package.commands import LoadCityPackage
    from city.package.format import PackageError
    from city.package.reader import read_package
    from city.package.rules import deploy_files
    from engine.domain.errors import GridcaseError

    try:
        package = read_package(folder)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    if password is not None:
        package = _with_initial_password(package, password)
    command = LoadCityPackage(package, actor=actor, source=str(folder), deploy=deploy_files(package.rules))
    try:
        result: dict[str, Any] = bootstrap(settings.database_url).handle(command)
    except GridcaseError as exc:
        raise click.ClickException(f"{exc} (nothing was loaded)") from None
    return result


def _with_initial_password(package: Any, password: str) -> Any:
    """The package with ``password`` for each person users.json gives no password (kept people keep theirs)."""
    from dataclasses import replace

    from engine.service.accounts import MAX_PASSWORD, MIN_PASSWORD

    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise click.ClickException(f"--password-stdin: a password needs {MIN_PASSWORD}–{MAX_PASSWORD} characters")
    return replace(package, users=tuple({**u, "password": u["password"] or password} for u in package.users))


@city.command("load")
@click.argument("package", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="A package load: print the change report as JSON.")
@click.option("--unit-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--resp-grids", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--districts", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--code-field", default=None, help="The property holding each feature's code (default: code).")
@click.option("--name-field", default=None, help="The property holding each feature's name (default: name).")
@click.option("--district-field", default=None,
              help="The responsibility grids' property naming their district (default: district).")
@click.option("--parent-field", default=None, metavar="FIELD",
              help="The unit grids' property naming the responsibility grid each belongs to (instead of placing "
              "each by area); the responsibility grids' parent is their district (--district-field).")
@click.option("--dissolve-resp-from-units", "resp_field", default=None, metavar="FIELD",
              help="Make the responsibility grids by dissolving the unit grids on their property FIELD (instead "
              "of --resp-grids); each takes its units' district (--district-field).")
@click.option("--repair", is_flag=True, help="Make invalid geometry valid (make_valid) and report which, instead of "
              "refusing the load (a package: \"repair\": true on the grid entry in its city.json).")
@click.option("--password-stdin", is_flag=True, help="A package load: read one line from standard input, the initial "
              "password of new people users.json gives none (people already stored keep theirs).")
@click.pass_obj
def city_load(settings: Settings, package: Path | None, as_json: bool, unit_grids: Path | None,
              resp_grids: Path | None, districts: Path | None, code_field: str | None, name_field: str | None,
              district_field: str | None, parent_field: str | None, resp_field: str | None, repair: bool,
              password_stdin: bool) -> None:
    """Load the city package in folder PACKAGE (all of it or nothing; prints what changed), or replace only the
    city's grids from GeoJSON, Shapefile or GeoPackage boundary files (--unit-grids …: reprojected to
    longitude/latitude; each feature's code in its 'code' property, or the one --code-field names)."""
    from city.bootstrap import bootstrap
    from city.commands import LoadCity
    from city.grids.readers import GridFileError, dissolve

    if package is not None:
        if unit_grids or resp_grids or districts or resp_field or code_field or name_field or district_field or repair \
                or parent_field:
            raise click.UsageError("a package names its grid files and fields (and \"repair\": true) in its city.json: "
                                   "give PACKAGE alone")
        from city.package.changes import report_text

        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        result = load_package(settings, package, "cli", password)
        click.echo(json.dumps(result, ensure_ascii=False) if as_json else report_text(result))
        return
    if unit_grids is None:
        raise click.UsageError("give a city package folder, or --unit-grids FILE to load grids only")
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
        unit_fields = {**fields, **({"parent": parent_field} if parent_field else {})}
        units, resps = read_features(unit_grids, unit_fields), read_features(resp_grids, resp_fields)
    if parent_field and resp_field:
        raise click.UsageError("--dissolve-resp-from-units FIELD already names each unit grid's parent: leave out "
                               "--parent-field")
    command = LoadCity(tuple(units), tuple(resps), tuple(read_features(districts, fields)), actor="cli",
                       repair=repair, units_by_parent=parent_field is not None)
    counts = bootstrap(settings.database_url).handle(command)
    click.echo(json.dumps(counts))


@city.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def city_export(settings: Settings, folder: Path) -> None:
    """Write the loaded city as a city package into FOLDER (which `city load FOLDER` reads back)."""
    from city.bootstrap import bootstrap
    from city.package.export import export_package
    from city.package.format import PackageError

    try:
        counts = export_package(bootstrap(settings.database_url).deps, folder)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps({"folder": str(folder), **counts}))


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
