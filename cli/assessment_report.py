"""``gridcase assessment rankings`` and ``gridcase assessment report``: a round's ranking (考评排名) and a scheme
period's report (考评月报 / 季报), the same documents as ``GET /api/v1/assessment/rankings`` and ``/report``
(docs/assessment.md). A bad scheme, level or period, or a period without a round: a message naming it and exit 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from city.assessment.standings import LEVELS
from cli.options import REFUSED_EXIT, city_bus
from engine.persistence.assessment_records import SCHEMES
from web.settings import Settings


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _read(read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The read model's document; a refusal (bad value, no round) printed naming its field, exit 2."""
    from engine.domain.errors import GridcaseError

    try:
        return read()
    except GridcaseError as exc:
        click.echo(f"refused: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        sys.exit(REFUSED_EXIT)


def ranking_lines(found: dict[str, Any]) -> list[str]:
    """The ranking as plain lines: rank, code, name, score, change, inspected / objects (a company its grade)."""
    lines = [f"考评排名 Ranking {found['scheme']} {found['period']} (level {found['level']}; previous "
             f"{found['previous_period']})", "rank  code  name  score  change  inspected/objects"]
    for r in found["rows"]:
        counts = "" if found["level"] == "object" else f"  {r['inspected']}/{r['objects']}"
        credit = f"  credit {r['credit_score']:g} {r['grade']}" if "grade" in r else ""
        change = "—" if r["change"] is None else f"{r['change']:+g}"
        lines.append(f"{r['rank'] or '—':>4}  {r['code']}  {r['name']}  {_num(r['score'])}  {change}{counts}{credit}")
    return lines


def report_lines(found: dict[str, Any]) -> list[str]:
    """The report as plain lines (Chinese beside English)."""
    t, rect = found["totals"], found["rectifications"]
    lines = [f"考评报告 Report {found['scheme']} {found['period']} ({found['round']['state']})",
             f"对象 objects {t['objects']}, 已检查 inspected {t['inspected']}, 平均 average {_num(t['average'])}, "
             f"合格率 pass rate {_num(t['pass_rate'])}% (score ≥ 80), 不合格项 failed items {t['failed_items']}",
             f"整改 rectifications opened {rect['opened']}, rectified {rect['rectified']}, repeated "
             f"{rect['repeated']}, escalated {rect['escalated']}", "", "区 districts:"]
    lines += [f"  {d['rank'] or '—'}. {d['code']} {d['name']}: {_num(d['score'])} ({d['inspected']}/{d['objects']})"
              for d in found["districts"]]
    lines += ["", "最低 lowest:"] + [f"  {r['code']} {r['name']}: {_num(r['score'])}" for r in found["lowest"]]
    lines += ["", "最高 highest:"] + [f"  {r['code']} {r['name']}: {_num(r['score'])}" for r in found["highest"]]
    lines += ["", "不合格项 failed items (failed / deducted / opened / rectified / repeated):"]
    lines += [f"  {i['code']} {i['label']}: {i['failed']} / {_num(i['deducted'])} / {i['opened']} / "
              f"{i['rectified']} / {i['repeated']}" for i in found["failed_items"]]
    if found["scheme"] == "property":
        lines += ["", "信用扣分 credit events by company (events, points):"]
        lines += [f"  {c['company']} {c['name']}: {c['events']}, {_num(c['points'])}" for c in found["credit"]]
    return lines


@click.command("rankings")
@click.option("--scheme", required=True, type=click.Choice(SCHEMES), help="garbage_sorting or property.")
@click.option("--period", default=None, help="2027-01 (garbage_sorting) or 2027-Q1 (property); default the newest.")
@click.option("--level", default="object", type=click.Choice(LEVELS), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's document).")
@click.pass_obj
def rankings(settings: Settings, scheme: str, period: str | None, level: str, as_json: bool) -> None:
    """A round's ranking (考评排名): rank, score, change vs the previous period."""
    from city.assessment import views

    deps = city_bus(settings).deps
    found = _read(lambda: views.rankings(deps, scheme, period, level))
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if as_json else "\n".join(ranking_lines(found)))


@click.command("report")
@click.option("--scheme", required=True, type=click.Choice(SCHEMES), help="garbage_sorting or property.")
@click.option("--period", required=True, help="2027-01 (garbage_sorting) or 2027-Q1 (property).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's document).")
@click.pass_obj
def report(settings: Settings, scheme: str, period: str, as_json: bool) -> None:
    """A scheme period's report (考评月报 / 季报)."""
    from city.assessment import views

    deps = city_bus(settings).deps
    found = _read(lambda: views.report(deps, scheme, period))
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if as_json else "\n".join(report_lines(found)))


COMMANDS: list[click.Command] = [rankings, report]
