"""``gridcase citizens``: what a tracking link shows (``status TOKEN``) and the citizens' satisfaction (``ratings``),
the same reads as the status page and the KPI pages (docs/citizens.md)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from cli.options import REFUSED_EXIT, city_bus, moment
from web.settings import Settings

RATING_NAMES = {"satisfied": "满意 satisfied", "basically_satisfied": "基本满意 basically satisfied",
                "dissatisfied": "不满意 dissatisfied"}
OUTCOME_NAMES = {"explained": "已解释说明 explained", "reopened": "重新办理 reopened", "open": "未回访 open"}


@click.group()
def citizens() -> None:
    """Citizens' reports (市民上报): tracking links and satisfaction (满意度)."""


def status_lines(found: dict[str, Any]) -> list[str]:
    """The status page's content as plain lines."""
    lines = [f"案件 case {found['case_no']}: {found['stage_label_zh']} ({found['stage_label_en']})",
             f"问题 subtype {found['subtype_code']} {found['subtype_name'] or ''}; 地点 place "
             f"{found['district'] or '—'} {found['street'] or ''}", f"描述 description: {found['description']}",
             "进度 timeline:"]
    lines += [f"  {t['at']}  {t['label']} ({t['label_en']})" for t in found["timeline"]]
    lines.append(f"照片 photos: before {len(found['before'])}, after {len(found['after'])}")
    rating = found["rating"]
    if rating is not None:
        reopened = f", 重办 reopened as {rating['reopened_case_no']}" if rating["reopened_case_no"] else ""
        lines.append(f"评价 rating: {RATING_NAMES.get(rating['rating'], rating['rating'])} {rating['comment']}"
                     f" (回访 callback {rating['outcome'] or '—'}{reopened})")
    elif found["can_rate"]:
        lines.append("评价 rating: 待评价 (can be rated)")
    lines += [f"此前 earlier case {h['case_no']}: {h['stage']}" for h in found["history"]]
    return lines


@citizens.command("status")
@click.argument("token")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (what the status page shows).")
@click.pass_obj
def status(settings: Settings, token: str, as_json: bool) -> None:
    """What the tracking link /t/TOKEN shows; exit 2 when no report has that token."""
    from city.citizens.status import status_of

    found = status_of(city_bus(settings).deps, token)
    if found is None:
        click.echo("refused: token: no such tracking link", err=True)
        sys.exit(REFUSED_EXIT)
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if as_json else "\n".join(status_lines(found)))


def ratings_lines(found: dict[str, Any]) -> list[str]:
    """The satisfaction document as plain lines."""
    rate = found["satisfaction_rate"]
    lines = [f"评价 ratings {found['since'] or '…'} – {found['until'] or '…'}: {found['total']}"]
    lines += [f"  {RATING_NAMES[k]}: {v}" for k, v in found["ratings"].items()]
    lines.append(f"满意率 satisfaction rate: {'—' if rate is None else f'{rate * 100:.1f}%'}")
    lines.append("回访 callbacks:")
    lines += [f"  {OUTCOME_NAMES[k]}: {v}" for k, v in found["callbacks"].items()]
    return lines


@citizens.command("ratings")
@click.option("--since", default=None, help="ISO date and time (UTC without a zone); default: every rating.")
@click.option("--until", default=None, help="ISO date and time, exclusive.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def ratings(settings: Settings, since: str | None, until: str | None, as_json: bool) -> None:
    """Citizens' satisfaction: ratings by kind, 满意率 = (满意 + 基本满意) / all, and the 回访's outcomes."""
    from city.citizens.satisfaction import satisfaction

    start: datetime | None = None if since is None else moment(since, "--since")
    end: datetime | None = None if until is None else moment(until, "--until")
    found = satisfaction(city_bus(settings).deps, start, end)
    click.echo(json.dumps(found, ensure_ascii=False, indent=2) if as_json else "\n".join(ratings_lines(found)))
