"""``gridcase city department|subtype|routing …``: the admin pages' commands from the command line (the same
commands, refused alike). Added to ``cli.city``'s group here, so the city's own module stays the package loader's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from cli.city import city
from cli.users import CLI_ACTOR
from web.settings import Settings

if TYPE_CHECKING:
    from engine.domain.commands import Command
    from engine.service.bus import MessageBus

ACTOR = CLI_ACTOR
COMMENT = click.option("--comment", default="", help="Why (kept with the change).")


def bus_of(settings: Settings) -> MessageBus:
    """The city's bus over the configured database (imported here: loading the engine is slow for --help)."""
    from city.bootstrap import bootstrap

    return bootstrap(settings.database_url)


def send(settings: Settings, command: Command) -> Any:
    """Handle ``command``; a refusal is a message naming the field and exit code 1."""
    from engine.domain.errors import GridcaseError

    try:
        return bus_of(settings).handle(command)
    except GridcaseError as exc:
        raise click.ClickException(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from None


def print_rows(rows: list[dict[str, Any]], columns: tuple[str, ...], as_json: bool) -> None:
    """Rows as JSON, or one a line with ``columns`` tab-separated (``-`` for none)."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo("\t".join("-" if row.get(c) is None else str(row[c]) for c in columns))


@click.group("department")
def department() -> None:
    """Departments (处置单位): list, add, edit, disable."""


@department.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def department_list(settings: Settings, as_json: bool) -> None:
    """Departments, one a line: code, level, district, disabled, name (tab-separated)."""
    from city.admin.views import departments

    print_rows(departments(bus_of(settings).deps), ("code", "level", "district_code", "disabled", "name_zh"), as_json)


@department.command("add")
@click.argument("code")
@click.option("--name-zh", required=True)
@click.option("--name-en", required=True)
@click.option("--level", required=True, type=click.Choice(["city", "district", "street"]))
@click.option("--district", default=None, help="District code (required for district and street level).")
@COMMENT
@click.pass_obj
def department_add(settings: Settings, code: str, name_zh: str, name_en: str, level: str, district: str | None,
                   comment: str) -> None:
    """Add department CODE."""
    from city.admin.commands import AddDepartment

    send(settings, AddDepartment(code, name_zh, name_en, level, district, ACTOR, comment))
    click.echo(f"added department {code}")


@department.command("edit")
@click.argument("code")
@click.option("--name-zh", default=None)
@click.option("--name-en", default=None)
@click.option("--level", default=None, type=click.Choice(["city", "district", "street"]))
@click.option("--district", default=None, help="District code ('' for none).")
@COMMENT
@click.pass_obj
def department_edit(settings: Settings, code: str, name_zh: str | None, name_en: str | None, level: str | None,
                    district: str | None, comment: str) -> None:
    """Change department CODE's names, level or district (options left out stay)."""
    from city.admin.commands import EditDepartment

    row = send(settings, EditDepartment(code, ACTOR, name_zh, name_en, level, district, comment))
    click.echo(json.dumps(row, ensure_ascii=False))


@department.command("disable")
@click.argument("code")
@click.option("--enable", is_flag=True, help="Enable it again instead.")
@COMMENT
@click.pass_obj
def department_disable(settings: Settings, code: str, enable: bool, comment: str) -> None:
    """Disable department CODE (refused while its queue has open tasks or a routing rule names it)."""
    from city.admin.commands import DisableDepartment

    send(settings, DisableDepartment(code, ACTOR, enable=enable, comment=comment))
    click.echo(f"department {code} {'enabled' if enable else 'disabled'}")


@click.group("routing")
def routing() -> None:
    """The routing rules in force (责任划分): show them, move a subtype's routing."""


@routing.command("show")
@click.option("--subtype", default=None, help="Only this subtype.")
@click.pass_obj
def routing_show(settings: Settings, subtype: str | None) -> None:
    """Per subtype, the departments its rules route to (tab-separated), after the version line."""
    from city.admin.views import routing as routing_view

    found = routing_view(bus_of(settings).deps)
    click.echo(f"# {found['process_id']} v{found['version']} {found['file_name']}")
    for code, units in found["routes"].items():
        if subtype in (None, code):
            click.echo(f"{code}\t{','.join(units)}")


@routing.command("move")
@click.argument("subtype")
@click.argument("department")
@COMMENT
@click.pass_obj
def routing_move(settings: Settings, subtype: str, department: str, comment: str) -> None:
    """Route every rule of SUBTYPE to DEPARTMENT and deploy the rules as a new version."""
    from city.admin.commands import MoveSubtypeRouting

    moved = send(settings, MoveSubtypeRouting(subtype, department, ACTOR, comment))
    click.echo(json.dumps(moved, ensure_ascii=False))


@click.group("holidays")
def holidays() -> None:
    """The city's holiday table (节假日), as stored with its package."""


@holidays.command("set")
@click.argument("year", type=int)
@click.option("--holidays", "days_off", default="", help="The year's days off, YYYY-MM-DD, comma-separated.")
@click.option("--workdays", default="", help="Weekend days worked in their place (调休), comma-separated.")
@COMMENT
@click.pass_obj
def holidays_set(settings: Settings, year: int, days_off: str, workdays: str, comment: str) -> None:
    """Set YEAR's holidays and 调休 working days (SetHolidayYear); working time counts with them at once."""
    from city.admin.commands import SetHolidayYear

    def split(text: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in text.split(",") if part.strip())

    done = send(settings, SetHolidayYear(year, split(days_off), split(workdays), ACTOR, comment))
    click.echo(json.dumps(done, ensure_ascii=False))


from cli.admin_subtypes import subtype  # noqa: E402  (a sibling module: this one stays under 300 lines)

city.add_command(department)
city.add_command(subtype)
city.add_command(routing)
city.add_command(holidays)
