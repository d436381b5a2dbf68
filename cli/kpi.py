"""``gridcase kpi`` (settings versions, rankings) and ``gridcase report monthly`` (HTML + CSV)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from web.settings import Settings

if TYPE_CHECKING:
    from engine.service.bus import MessageBus

LEVEL = click.Choice(["department", "district", "street", "collector", "dispatcher"])


def _bus(settings: Settings) -> MessageBus:
    """The engine over the configured database, with the city's working time (role step limits)."""
    from city.bootstrap import bootstrap

    return bootstrap(settings.database_url, working_time=settings.working_time())


def _percent(value: float | None, rate: bool) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if rate else f"{value:g}"


@click.group()
def kpi() -> None:
    """KPIs (考核指标): settings versions and rankings (docs/kpi.md)."""


@kpi.command("apply")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--comment", default="", help="Why the settings changed.")
@click.option("--actor", default=None, help="Who applies them (default: the login name).")
@click.pass_obj
def kpi_apply(settings: Settings, file: Path | None, comment: str, actor: str | None) -> None:
    """Record FILE (default config/kpi.yaml) as the KPI settings in force, when its content changed."""
    from city import commands as city_commands
    from city.kpi.versions import DEFAULT_FILE

    path = file or DEFAULT_FILE
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    applied = _bus(settings).handle(city_commands.ApplyKpiConfig(content, actor or getpass.getuser(), comment))
    state = "applied" if applied.created else "unchanged"
    click.echo(f"kpi settings version {applied.version} ({state}, sha256 {applied.sha256[:12]})")


@kpi.command("versions")
@click.pass_obj
def kpi_versions(settings: Settings) -> None:
    """List the applied settings versions, newest first."""
    from city.kpi.versions import config_versions

    for v in config_versions(_bus(settings).deps):
        click.echo(f"{v['version']}\t{v['applied_at'][:16]}\t{v['applied_by']}\t{v['sha256'][:12]}\t{v['comment']}")


def _table(found: dict[str, Any]) -> None:
    cfg = found["config"]
    click.echo(f"{found['period']} · {found['level']} · cut-off {found['as_of']} · settings "
               f"{'v' + str(cfg['version']) if cfg['version'] else 'config/kpi.yaml (not applied)'}")
    keys = [(i["key"], i["zh"], i["denominator"] is not None) for i in found["indicators"]]
    click.echo("\t".join(["rank", "code", "name", "综合", *(zh for _, zh, _ in keys)]))
    for r in found["rows"]:
        click.echo("\t".join([str(r["rank"] or "—"), r["code"], r["name_zh"], _percent(r["composite"], False),
                              *(_percent(r["values"][k], rate) for k, _, rate in keys)]))


@kpi.command("show")
@click.option("--period", required=True, help="yyyy-mm, or yyyy-mm-dd..yyyy-mm-dd (both days included).")
@click.option("--level", type=LEVEL, default="department", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's document).")
@click.pass_obj
def kpi_show(settings: Settings, period: str, level: str, as_json: bool) -> None:
    """The ranking of one level for a period, with every indicator."""
    from city.kpi.ranking import ranking

    found = ranking(_bus(settings).deps, period, level)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        _table(found)


@click.group()
def report() -> None:
    """Evaluation reports."""


@report.command("monthly")
@click.option("--month", required=True, help="yyyy-mm")
@click.option("--out", "out", default="var/reports", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.pass_obj
def report_monthly(settings: Settings, month: str, out: Path) -> None:
    """Write the month's report as HTML (tables and charts) and the same numbers as CSV."""
    from city.kpi.ranking import monthly_report
    from cli.kpi_report import write_report

    for path in write_report(monthly_report(_bus(settings).deps, month), out / month):
        click.echo(str(path))
