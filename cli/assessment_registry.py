"""``gridcase assessment load|objects|set-active``: the assessment registries (考评登记: 物业企业, 考评对象, 考评细则).

``gridcase assessment load DIR|FILE… --as USER`` sends companies.csv, objects.geojson and checklists.json to
``LoadAssessmentRegistry`` — the same command as ``POST /api/v1/assessment/registry`` and the admin page: every
problem is printed as ``file: row N: field: message`` and the command exits 2, nothing loaded.
``gridcase assessment objects [--scheme S] [--json]`` lists the objects; ``gridcase assessment set-active SCHEME
CODE --active/--inactive --as USER`` takes one out of the coming rounds or back in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.options import city_bus, handled_or_exit, read_registry_files
from engine.persistence.assessment_records import SCHEMES
from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus

COLUMNS = ("scheme", "code", "name", "kind", "district", "street", "grid", "company", "department", "active")


def registry_files(paths: tuple[Path, ...]) -> dict[str, str]:
    """The files of a load by name: a folder's registry files, or each file under its base name."""
    from city.assessment.registry_files import FILE_NAMES

    return read_registry_files(paths, FILE_NAMES)


def load_registry(bus: MessageBus, files: dict[str, str], username: str) -> dict[str, Any]:
    """Send the files as ``username``; a refusal prints each problem and exits 2 (nothing loaded)."""
    from city.assessment.commands import LoadAssessmentRegistry

    result: dict[str, Any] = handled_or_exit(bus, LoadAssessmentRegistry(files, username), " (nothing was loaded)")
    return result


@click.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "username", required=True, help="Who loads them: an admin.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def assessment_load(settings: Settings, paths: tuple[Path, ...], username: str, as_json: bool) -> None:
    """Load registry files (a folder of them, or the files): companies and objects inserted or updated by code, a
    changed checklist as its scheme's next version, in one unit of work; any problem refuses all (exit 2)."""
    result = load_registry(city_bus(settings), registry_files(paths), username)
    if as_json:
        click.echo(json.dumps(result))
        return
    for registry in ("companies", "objects"):
        counts = result[registry]
        click.echo(f"{registry}: {counts['inserted']} inserted, {counts['updated']} updated,"
                   f" {counts['unchanged']} unchanged")
    versions = ", ".join(f"{scheme} v{version}" for scheme, version in result["checklists"].items())
    click.echo(f"checklists: {versions or 'unchanged'}")


@click.command("objects")
@click.option("--scheme", type=click.Choice(SCHEMES), default=None, help="Only this scheme's objects.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_obj
def assessment_objects(settings: Settings, scheme: str | None, as_json: bool) -> None:
    """Print the assessed objects: one tab-separated row each, with a header (or JSON)."""
    from city.assessment import registry_views

    rows = registry_views.objects(city_bus(settings).deps, scheme=scheme, page_size=1_000_000)["objects"]
    if as_json:
        click.echo(json.dumps({"objects": rows}, ensure_ascii=False))
        return
    click.echo("\t".join(COLUMNS))
    for row in rows:
        click.echo("\t".join("" if row.get(c) is None else str(row[c]) for c in COLUMNS))


@click.command("set-active")
@click.argument("scheme", type=click.Choice(SCHEMES))
@click.argument("code")
@click.option("--active/--inactive", required=True, help="Take part in the coming rounds or not.")
@click.option("--as", "username", required=True, help="Who changes it: an admin.")
@click.pass_obj
def assessment_set_active(settings: Settings, scheme: str, code: str, active: bool, username: str) -> None:
    """Take an object out of the coming rounds (--inactive) or back in (--active)."""
    from city.assessment.commands import SetAssessedObjectActive

    result = handled_or_exit(city_bus(settings), SetAssessedObjectActive(scheme, code, active, username))
    click.echo(f"{result['scheme']}/{result['code']}: {'active' if result['active'] else 'inactive'}")


COMMANDS: list[click.Command] = [assessment_load, assessment_objects, assessment_set_active]
