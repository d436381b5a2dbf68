"""`gridcase emergency report ID [--json]`: an emergency's after-action report (事后报告), the same document as
``GET /api/v1/emergencies/{id}/report`` and the printable page (docs/emergency.md). An unknown id: a message
naming it and a non-zero exit."""

from __future__ import annotations

import json
from typing import Any

import click

from web.settings import Settings


def _span(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = int(seconds)
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m" if whole >= 3600 else f"{whole // 60}m{whole % 60:02d}s"


def _text(found: dict[str, Any]) -> list[str]:
    """The report as plain lines (Chinese beside English)."""
    e, counts, assembly, messages = found["emergency"], found["counts"], found["assembly"], found["messages"]
    lines = [f"应急 Emergency {e['id']}: {e['kind']} level {e['level']} ({e['state']}), commander {e['commander']}",
             f"宣布 declared {e['declared_at']} by {e['declared_by']}; period {e['starts_at']} – {e['ends_at']}",
             f"消息 messages sent {messages['notifications']}, acknowledged {messages['acknowledged']}; called "
             f"{assembly['called']}, escalated {assembly['escalated']}, checked in {assembly['checked_in']}, "
             f"assembled in {_span(assembly['assembled_s'])}",
             f"事件 incidents {counts['incidents']} {counts['incidents_by_state']}",
             f"隐患 hazards {counts['hazards']} {counts['hazards_by_state']}", "", "时间线 timeline:"]
    lines += [f"  {t['at']}  {t['event']}" for t in found["timeline"]]
    lines += ["", "集结 assembly by team (called / acknowledged / checked in, ack p50 / max, assembled):"]
    lines += [f"  {t['team']}: {t['called']} / {t['acknowledged']} / {t['checked_in']}, {_span(t['ack_p50_s'])} / "
              f"{_span(t['ack_max_s'])}, {_span(t['assembled_s'])}" for t in assembly["teams"]]
    lines += ["", "隐患 hazards by topic (found / fixed / open):"]
    lines += [f"  {t['topic']} {t['name']}: {t['found']} / {t['fixed']} / {t['open']}"
              for t in found["hazards_by_topic"]]
    lines += ["", "部门 departments (cases, disposed, response p50/p90, fix p50/p90):"]
    lines += [f"  {d['code']} {d['name']}: {d['cases']}, {d['disposed']}, {_span(d['response_p50_s'])}/"
              f"{_span(d['response_p90_s'])}, {_span(d['fix_p50_s'])}/{_span(d['fix_p90_s'])}"
              for d in found["departments"]]
    items = found["open_items"]
    lines += ["", f"未结 open: incidents {len(items['incidents'])}, hazards {len(items['hazards'])}, "
                  f"not checked in {len(items['not_checked_in'])}"]
    return lines


@click.command("report")
@click.argument("emergency_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's document).")
@click.pass_obj
def emergency_report(settings: Settings, emergency_id: int, as_json: bool) -> None:
    """An emergency's after-action report (事后报告)."""
    from city.bootstrap import bootstrap
    from city.emergency.dashboard import report

    found = report(bootstrap(settings.database_url, working_time=settings.working_time()).deps, emergency_id)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(_text(found)))
