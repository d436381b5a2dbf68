"""``gridcase enforcement``: smart law enforcement (智慧执法; docs/enforcement-records.md) on the command line.

``gridcase enforcement list [--number …] [--party …] [--team CODE] [--stage …] [--subtype CODE] [--legal-basis …]
[--from DAY] [--to DAY] [--has-fine|--no-fine] [--page N] [--per-page N] [--json]`` searches the enforcement records
as ``GET /api/v1/enforcement/cases`` does (the same query schema, so the same refusals: each printed as
``field: message``, exit 2); ``gridcase enforcement show ID [--json]`` prints one record (unknown: exit 1).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from cli.options import REFUSED_EXIT, city_bus
from web.settings import Settings

LIST_COLUMNS = ("id", "transferred_at", "number", "team", "stage", "party_name", "penalty_kind", "fine_amount",
                "origin_case_no")


@click.group()
def enforcement() -> None:
    """Smart law enforcement (智慧执法): enforcement records."""


def _query(given: dict[str, Any]) -> dict[str, Any]:
    """The search query loaded by the API's schema; refused values printed by field, exit 2."""
    from marshmallow import ValidationError

    from web.api.enforcement import EnforcementQuery

    try:
        loaded: dict[str, Any] = EnforcementQuery().load({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        messages = exc.normalized_messages()
        for field, message in (messages.items() if isinstance(messages, dict) else []):
            click.echo(f"refused: {field}: {' '.join(message) if isinstance(message, list) else message}", err=True)
        sys.exit(REFUSED_EXIT)
    return loaded


@enforcement.command("list")
@click.option("--number", default=None, help="文书号, or part of it.")
@click.option("--party", default=None, help="The party's name or id (身份证号 / 统一社会信用代码), or part of it.")
@click.option("--team", default=None, help="The enforcement team's department code, e.g. 350602-D03.")
@click.option("--stage", default=None, help="filing, investigation, notice, decision, service, execution, closed or"
                                            " refused.")
@click.option("--subtype", default=None, help="The origin case's subtype code.")
@click.option("--legal-basis", default=None, help="Part of the legal basis (法律依据).")
@click.option("--from", "since", default=None, help="First day of transfer (yyyy-mm-dd, city time).")
@click.option("--to", "until", default=None, help="Last day of transfer (yyyy-mm-dd, city time), included.")
@click.option("--has-fine/--no-fine", default=None, help="Only the records with (without) a fine decided.")
@click.option("--page", default=None, type=int, help="The page, from 1.")
@click.option("--per-page", default=None, type=int, help="Records per page (at most 100; default 20).")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@click.pass_obj
def enforcement_list(settings: Settings, since: str | None, until: str | None, as_json: bool,
                     **filters: Any) -> None:
    """Print the enforcement records matching the filters, newest transfer first: one tab-separated row each."""
    from city.enforcement import records
    from web.api.enforcement import search_filter

    query = _query({**filters, "from": since, "to": until})
    found = records.search_records(city_bus(settings).deps, search_filter(query), query["page"], query["per_page"])
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    click.echo("\t".join(LIST_COLUMNS))
    for row in found["records"]:
        click.echo("\t".join("" if row.get(c) is None else str(row[c]) for c in LIST_COLUMNS))
    click.echo(f"{found['total']} found, page {found['page']} of {max(found['pages'], 1)}", err=True)


@enforcement.command("show")
@click.argument("enforcement_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def enforcement_show(settings: Settings, enforcement_id: int, as_json: bool) -> None:
    """Print one enforcement record: its facts, then its milestones with their times."""
    from city.enforcement import records

    found = records.record(city_bus(settings).deps, enforcement_id)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    for name in ("id", "number", "team", "team_name", "stage", "case_no", "origin_case_no", "subtype_code", "summary",
                 "party_name", "party_kind", "party_id", "legal_basis", "penalty_kind", "fine_amount", "result",
                 "transferred_by"):
        click.echo(f"{name}\t{'' if found[name] is None else found[name]}")
    for milestone in found["milestones"]:
        click.echo(f"{milestone['milestone']}\t{milestone['at'] or ''}")
