"""Property companies' credit (物业信用) as the API and the pages show it: each read opens a read-only unit of work
over ``city/persistence/read/property_credit.py`` and shapes JSON-safe rows (times as ISO 8601 UTC).

- ``ranked_companies``: every company with its credit score and grade (the last ``CREDIT_DAYS`` days' points),
  active compounds, events and the average of its compounds' latest inspection scores, best score first;
- ``credit_file``: one company's credit file — its events newest first a page at a time, its points by month over
  the last ``MONTHS`` months (the city's months) and its compounds with their latest inspection score.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from city.assessment.standings import CREDIT_DAYS, average, credit_score, grade, rank_rows
from city.persistence.read import property_credit as reads
from engine.domain.city_zone import city_zone
from engine.domain.errors import NotFound
from engine.persistence.db import iso_utc
from engine.service.deps import Deps

PER_PAGE = 20
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
MONTHS = 12


def _latest(scores: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each compound's latest scored inspection (the rows come oldest first)."""
    return {row["object_id"]: row for row in scores}


def ranked_companies(deps: Deps) -> list[dict[str, Any]]:
    """Every company, best credit score first (then by code), with its rank (equal scores share one), score,
    grade, points, active compounds, events and latest inspection average."""
    since = deps.clock.now() - timedelta(days=CREDIT_DAYS)
    with deps.uow(read_only=True) as uow:
        rows = reads.companies(uow.store, since)
        latest = _latest(reads.inspected_scores(uow.store))
    by_company: dict[int, list[float]] = {}
    for row in latest.values():
        by_company.setdefault(row["company_id"], []).append(row["score"])
    shaped = [{**{k: v for k, v in row.items() if k != "id"}, "points": round(row["points"], 1),
               "score": credit_score(row["points"]), "grade": grade(credit_score(row["points"])),
               "inspection_average": average(by_company.get(row["id"], []))} for row in rows]
    return rank_rows(shaped)


def month_starts(now: datetime, months: int = MONTHS) -> list[date]:
    """The first days of the last ``months`` months of the city's calendar, oldest first, this month last."""
    today = now.astimezone(city_zone()).date()
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def points_by_month(events: list[tuple[datetime, float]], starts: list[date]) -> list[dict[str, Any]]:
    """``[{month: "2027-01", points}]`` for each month of ``starts``: the points of the events in it."""
    totals = {f"{start:%Y-%m}": 0.0 for start in starts}
    for at, points in events:
        month = f"{at.astimezone(city_zone()):%Y-%m}"
        if month in totals:
            totals[month] += points
    return [{"month": month, "points": round(points, 1)} for month, points in totals.items()]


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "id"}, "at": iso_utc(row["at"])}


def credit_file(deps: Deps, code: str, page: int = 1, per_page: int = PER_PAGE) -> dict[str, Any]:
    """One company's credit file (404 naming ``code`` when there is no such company): the company, score, grade
    and points; ``events`` ``{rows, total, page, per_page, pages}`` newest first; ``months`` (points by month);
    ``compounds`` with their latest inspection score and period."""
    now = deps.clock.now()
    starts = month_starts(now)
    first = datetime.combine(starts[0], time(0), tzinfo=city_zone())
    with deps.uow(read_only=True) as uow:
        store = uow.store
        company = reads.company_by_code(store, code)
        if company is None:
            raise NotFound(f"no property company {code!r}", field="code")
        window = reads.company_points_since(store, company["id"], now - timedelta(days=CREDIT_DAYS))
        monthly = reads.company_points_since(store, company["id"], first)
        total, events = reads.company_events(store, company["id"], page, per_page)
        compounds = reads.company_compounds(store, company["id"])
        latest = _latest(reads.inspected_scores(store, company["id"]))
    points = sum(p for _, p in window)
    shown = [{**{k: v for k, v in c.items() if k != "id"},
              "latest_score": latest[c["id"]]["score"] if c["id"] in latest else None,
              "latest_period": latest[c["id"]]["period"] if c["id"] in latest else None} for c in compounds]
    return {**{k: v for k, v in company.items() if k != "id"}, "points": round(points, 1),
            "score": credit_score(points), "grade": grade(credit_score(points)),
            "events": {"rows": [_event(e) for e in events], "total": total, "page": page, "per_page": per_page,
                       "pages": max(1, -(-total // per_page))},
            "months": points_by_month(monthly, starts), "compounds": shown,
            "inspection_average": average([c["latest_score"] for c in shown if c["latest_score"] is not None])}
