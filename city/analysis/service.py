"""Analysis of the case facts: heat maps per unit grid, a point sample for the heat layer, one grid's cases,
trends by day, week or month, and hot spots (``city.analysis.hotspots``).

Heat maps and monthly trends read the per-month rollup ``case_fact_counts`` for the whole months of the
period and ``case_facts`` only for the days of a month the period covers in part (see
``city.analysis.filter``). Day and week trends, points, a grid's cases and hot spots read
``case_facts``: the period's months bound the rows through the ``month`` and ``(unit_grid, month)``
indexes (the queries: ``city.persistence.read.analysis``). Every function takes the engine's ``Deps`` and an
``AnalysisFilter``; none writes.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from city.analysis.filter import AnalysisFilter, grouped, resolve
from city.analysis.hotspots import hotspots
from city.persistence.read import analysis as reads
from engine.domain.errors import InvalidCommand
from engine.persistence.db import as_utc
from engine.persistence.read.city import unit_grids
from engine.service.deps import Deps

__all__ = ["AnalysisFilter", "grid_cases", "grid_shapes", "grouped", "heat_map", "hotspots", "points", "resolve",
           "trends"]

TREND_SERIES = 5  # the subtypes drawn as their own lines
# The most periods one trend answers (a chart wider than this is unreadable, and 1900–2999 by day was 9 MB):
# by day some 13 months, by week 10 years, by month 20 years.
MAX_PERIODS = {"day": 400, "week": 522, "month": 240}


def heat_map(deps: Deps, flt: AnalysisFilter) -> dict[str, Any]:
    """Cases per unit grid: ``{grids: {code: cases}, max, total}`` (grids without cases are left out)."""
    with deps.uow(read_only=True) as uow:
        counts = grouped(uow.store, flt, ("unit_grid",), exclude_empty="unit_grid")
    grids = {key[0]: n for key, n in sorted(counts.items())}
    return {"grids": grids, "max": max(grids.values(), default=0), "total": sum(grids.values())}


def points(deps: Deps, flt: AnalysisFilter, limit: int = 5000) -> dict[str, Any]:
    """Where the latest ``limit`` matching cases were reported: ``{points: [[lat, lon], …], limit, sampled}``
    (newest months first, through the month index; ``sampled`` when there were more)."""
    with deps.uow(read_only=True) as uow:
        rows = reads.points(uow.store, flt, limit + 1)
    return {"points": [[round(r[0], 6), round(r[1], 6)] for r in rows[:limit]], "limit": limit,
            "sampled": len(rows) > limit}


def grid_cases(deps: Deps, unit_grid: str, flt: AnalysisFilter, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """One unit grid's matching cases, newest first: ``{unit_grid, cases, total, page, per_page, pages}``."""
    with deps.uow(read_only=True) as uow:
        total, cases = reads.grid_case_page(uow.store, unit_grid, flt, per_page, (page - 1) * per_page)
    for case in cases:
        moment = as_utc(case["reported_at"])
        case["reported_at"] = moment.isoformat() if moment else None
    return {"unit_grid": unit_grid, "cases": cases, "total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page))}


def _label(key: str, by: str) -> str:
    """The period a day (yyyy-mm-dd) or month (yyyy-mm) falls in: its day, its week's Monday or its month."""
    if by == "week":
        day = date.fromisoformat(key)
        return (day - timedelta(days=day.weekday())).isoformat()
    if by == "month":
        return key[:7]
    return key


def _check_span(first: str, last: str, by: str) -> None:
    """Refuse a trend of more than ``MAX_PERIODS[by]`` periods (InvalidCommand naming ``since``)."""
    if by == "month":
        count = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    else:
        count = (date.fromisoformat(last) - date.fromisoformat(first)).days // (7 if by == "week" else 1) + 1
    if count > MAX_PERIODS[by]:
        wider = {"day": " (or by week or month)", "week": " (or by month)"}.get(by, "")
        raise InvalidCommand(f"a trend by {by} covers at most {MAX_PERIODS[by]} {by}s, not {count}: narrow "
                             f"since..until{wider}", field="since")


def _periods(first: str, last: str, by: str) -> list[str]:
    """Every period from ``first`` to ``last`` (labels as ``_label`` makes them), so gaps show as zeros."""
    if by == "month":
        out, (year, month) = [], (int(first[:4]), int(first[5:7]))
        while f"{year:04d}-{month:02d}" <= last:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out
    step = 7 if by == "week" else 1
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(day + timedelta(days=n)).isoformat() for n in range(0, (end - day).days + 1, step)]


def trends(deps: Deps, flt: AnalysisFilter, by: str = "day") -> dict[str, Any]:
    """Cases per day, week (starting Monday) or month over the period, and the top subtypes' own series:
    ``{by, periods, total, series: [{subtype, values}]}``; periods without cases count zero."""
    if by not in ("day", "week", "month"):
        raise ValueError(f"by is day, week or month, not {by}")
    with deps.uow(read_only=True) as uow:
        if by == "month":
            counts = grouped(uow.store, flt, ("month", "subtype"))
        else:
            counts = grouped(uow.store, flt, ("day", "subtype"), facts_only=True)
    per: dict[tuple[str, str], int] = {}
    for (key, subtype), n in counts.items():
        label = (_label(key, by), subtype or "")
        per[label] = per.get(label, 0) + n
    known = sorted({p for p, _ in per})
    low = _label(flt.since.isoformat(), by) if flt.since else (known[0] if known else None)
    high = _label(flt.until.isoformat(), by) if flt.until else (known[-1] if known else None)
    if low and high:
        _check_span(low, high, by)
    periods = _periods(low, high, by) if low and high else []
    subtotal: dict[str, int] = {}
    by_period: dict[str, int] = {}
    for (period, subtype), n in per.items():
        subtotal[subtype] = subtotal.get(subtype, 0) + n
        by_period[period] = by_period.get(period, 0) + n
    top = sorted(subtotal, key=lambda s: (-subtotal[s], s))[:TREND_SERIES]
    total = [by_period.get(period, 0) for period in periods]
    series = [{"subtype": s, "values": [per.get((p, s), 0) for p in periods]} for s in top]
    return {"by": by, "periods": periods, "total": total, "series": series}


def _rounded(coordinates: Any, digits: int) -> Any:
    if isinstance(coordinates, (int, float)):
        return round(coordinates, digits)
    return [_rounded(c, digits) for c in coordinates]


def grid_shapes(deps: Deps, digits: int = 5) -> dict[str, Any]:
    """Every unit grid's polygon for the choropleth, lean: coordinates to ``digits`` decimals (5 ≈ 1 m) and
    only ``code`` and ``resp_grid`` as properties."""
    with deps.uow(read_only=True) as uow:
        rows = unit_grids(uow.store)
    features = []
    for code, resp, _, text in rows:
        geometry = json.loads(text)
        lean = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"], digits)}
        features.append({"type": "Feature", "properties": {"code": code, "resp_grid": resp}, "geometry": lean})
    return {"type": "FeatureCollection", "features": features}
