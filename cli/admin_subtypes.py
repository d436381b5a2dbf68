"""``gridcase city subtype list|add|edit|disable``: the catalogue's subtypes (小类), as the admin pages edit them."""

from __future__ import annotations

import click

from web.settings import Settings

UNITS = click.Choice(["working_days", "working_hours", "natural_days", "natural_hours"])
URGENCY = click.Choice(["normal", "urgent"])


@click.group("subtype")
def subtype() -> None:
    """Subtypes of the catalogue: list, add, edit, disable."""


@subtype.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def subtype_list(settings: Settings, as_json: bool) -> None:
    """Subtypes, one a line: code, kind, aspect, urgency, limit, unit, disabled, name (tab-separated)."""
    from city.admin.views import subtypes
    from cli.admin import bus_of, print_rows

    print_rows(subtypes(bus_of(settings).deps), ("code", "kind", "aspect_code", "default_urgency", "limit_amount",
                                           "limit_unit", "disabled", "name_zh"), as_json)


@subtype.command("add")
@click.argument("code")
@click.option("--kind", required=True, type=click.Choice(["component", "event"]), help="部件 or 事件.")
@click.option("--aspect", required=True, help="The aspect's code (管理方面).")
@click.option("--major-code", required=True, help="The major category's 2-digit code (大类).")
@click.option("--major-name", required=True, help="The major category's Chinese name.")
@click.option("--name-zh", required=True)
@click.option("--name-en", required=True)
@click.option("--urgency", default="normal", type=URGENCY, show_default=True)
@click.option("--limit", "limit_amount", required=True, type=float, help="Disposal time limit amount.")
@click.option("--unit", "limit_unit", required=True, type=UNITS)
@click.option("--closing-standard", default="", help="结案标准.")
@click.option("--national-code", default=None, help="GB/T 30428.2's code, where it has one.")
@click.option("--comment", default="")
@click.pass_obj
def subtype_add(settings: Settings, code: str, kind: str, aspect: str, major_code: str, major_name: str,
                name_zh: str, name_en: str, urgency: str, limit_amount: float, limit_unit: str,
                closing_standard: str, national_code: str | None, comment: str) -> None:
    """Add subtype CODE (4 digits)."""
    from city.admin.commands import AddSubtype
    from cli.admin import ACTOR, send

    send(settings, AddSubtype(code, kind, aspect, major_code, major_name, name_zh, name_en, urgency, limit_amount,
                              limit_unit, closing_standard, ACTOR, comment, national_code))
    click.echo(f"added subtype {code}")


@subtype.command("edit")
@click.argument("code")
@click.option("--name-zh", default=None)
@click.option("--name-en", default=None)
@click.option("--urgency", default=None, type=URGENCY)
@click.option("--limit", "limit_amount", default=None, type=float)
@click.option("--unit", "limit_unit", default=None, type=UNITS)
@click.option("--closing-standard", default=None)
@click.option("--national-code", default=None, help="GB/T 30428.2's code ('' for none).")
@click.option("--comment", default="")
@click.pass_obj
def subtype_edit(settings: Settings, code: str, name_zh: str | None, name_en: str | None, urgency: str | None,
                 limit_amount: float | None, limit_unit: str | None, closing_standard: str | None,
                 national_code: str | None, comment: str) -> None:
    """Change subtype CODE (options left out stay)."""
    import json

    from city.admin.commands import EditSubtype
    from cli.admin import ACTOR, send

    row = send(settings, EditSubtype(code, ACTOR, name_zh, name_en, urgency, limit_amount, limit_unit,
                                     closing_standard, comment, national_code))
    click.echo(json.dumps(row, ensure_ascii=False))


@subtype.command("disable")
@click.argument("code")
@click.option("--enable", is_flag=True, help="Enable it again instead.")
@click.option("--comment", default="")
@click.pass_obj
def subtype_disable(settings: Settings, code: str, enable: bool, comment: str) -> None:
    """Disable subtype CODE: no new reports of it; its open cases finish."""
    from city.admin.commands import DisableSubtype
    from cli.admin import ACTOR, send

    send(settings, DisableSubtype(code, ACTOR, enable=enable, comment=comment))
    click.echo(f"subtype {code} {'enabled' if enable else 'disabled'}")
