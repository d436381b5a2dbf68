"""The enforcement teams' KPIs (执法队伍考核; docs/enforcement-records.md) for a period, per team and in total.

The period picks a cohort: the enforcement cases transferred (移送执法) in it, in the city's time zone; each is
judged as it stands now. Per team:

- ``transferred``: the cohort; ``filed``: those whose filing was approved (立案); ``refused``: filing refused
  (不予立案); ``closed``: closed (结案); ``open``: the rest by stage (立案审批 … 执行) and their ``open_total``;
- ``average_days_to_close``: the mean days from transfer to close of the closed ones (None without one);
- ``closed_within_90_days``: closed within 90 days of transfer over those due — not refused and either closed
  within the 90 days or transferred more than 90 days before the cut-off (a case still in its 90 days is not yet
  judged, so a running period is not held against its team); ``share`` None with none due;
- ``fines_decided``: the decisions with a fine (罚款; count, sum in yuan), ``fines_executed``: those executed
  (执行完毕).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from city.persistence.read.emergency_dashboard import department_names
from city.persistence.read.enforcement_kpi import CohortRow, cohort
from city.persistence.read.enforcement_rows import OPEN_STAGES
from engine.domain.errors import InvalidCommand
from engine.domain.periods import Period, parse_period
from engine.service.deps import Deps

CLOSE_WITHIN = timedelta(days=90)
# the cohort is summed in Python: a year's transfers at most (a leap year's days), not five years' at once
MAX_PERIOD_DAYS = 366
DAY_SECONDS = 86400.0


def _closed_in_time(row: CohortRow) -> bool:
    return row.stage == "closed" and row.closed_at is not None and row.closed_at - row.transferred_at <= CLOSE_WITHIN


def _fines(found: list[CohortRow]) -> dict[str, Any]:
    amounts = [r.fine_amount for r in found if r.fine_amount is not None]
    return {"count": len(amounts), "sum": str(sum(amounts, Decimal("0.00")))}


def team_kpis(found: list[CohortRow], as_of: datetime) -> dict[str, Any]:
    """The KPIs of one team's (or every team's) cohort rows, judged at ``as_of``."""
    days = [(r.closed_at - r.transferred_at).total_seconds() / DAY_SECONDS
            for r in found if r.stage == "closed" and r.closed_at is not None]
    timely = [_closed_in_time(r) for r in found]
    in_time = sum(timely)
    due = sum(1 for r, closed_in_time in zip(found, timely, strict=True)
              if r.stage != "refused" and (closed_in_time or as_of - r.transferred_at > CLOSE_WITHIN))
    fined = [r for r in found if r.penalty_kind == "fine" and r.decided_at is not None and r.fine_amount is not None]
    open_by_stage = {stage: sum(1 for r in found if r.stage == stage) for stage in OPEN_STAGES}
    return {
        "transferred": len(found),
        "filed": sum(1 for r in found if r.filed_at is not None),
        "refused": sum(1 for r in found if r.stage == "refused"),
        "closed": len(days),
        "open": open_by_stage,
        "open_total": sum(open_by_stage.values()),
        "average_days_to_close": round(sum(days) / len(days), 1) if days else None,
        "closed_within_90_days": {"count": in_time, "due": due,
                                  "share": round(in_time / due, 4) if due else None},
        "fines_decided": _fines(fined),
        "fines_executed": _fines([r for r in fined if r.executed_at is not None]),
    }


def enforcement_kpis(deps: Deps, period: Period | str, team_only: str | None = None,
                     now: datetime | None = None) -> dict[str, Any]:
    """Every team's KPIs over ``period`` (yyyy-mm or yyyy-mm-dd..yyyy-mm-dd, at most 366 days; InvalidCommand
    naming ``period`` otherwise), the teams by code, and the total; ``team_only``: that team's row alone (listed
    even when it had no transfer), the total its own."""
    period = parse_period(period) if isinstance(period, str) else period
    if period.end - period.start > timedelta(days=MAX_PERIOD_DAYS, hours=1):  # an hour: a zone's summer time
        raise InvalidCommand(f"period: at most {MAX_PERIOD_DAYS} days", field="period")
    as_of = (now or deps.clock.now()).astimezone(UTC)
    with deps.uow(read_only=True) as uow:
        found = cohort(uow.store, period.start, period.end, team_only)
        by_team: dict[str, list[CohortRow]] = defaultdict(list)
        for row in found:
            by_team[row.team].append(row)
        if team_only is not None:
            by_team.setdefault(team_only, [])
        names = department_names(uow.store, sorted(by_team))
    rows = [{"team": team, "team_name": names.get(team, (team, team))[0],
             "team_name_en": names.get(team, (team, team))[1], **team_kpis(by_team[team], as_of)}
            for team in sorted(by_team)]
    return {"period": period.label, "start": period.start.astimezone(UTC).isoformat(),
            "end": period.end.astimezone(UTC).isoformat(), "as_of": as_of.isoformat(),
            "teams": rows, "total": team_kpis(found, as_of)}
