"""What the analysis pages ask for, and where each part of it is read from (the WHERE clauses of both tables).

A filter's period is a range of days in the city's zone. The whole months inside it are read from
``case_fact_counts`` (one row per month, unit grid, subtype, channel and department, kept by the unit
of work); the days of a month only partly inside it are read from ``case_facts`` by ``month = ?`` and
``day`` bounds, one range of ``ix_case_facts_month_day_grid`` (which holds every column a heat map
filters on, so no table row is fetched). A ``source`` filter (live or imported history) is only in
``case_facts``, so it reads facts for the whole period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class AnalysisFilter:
    """Which cases: subtypes (None: all; an aspect is its subtypes), channel, source, department, and the
    days ``since``..``until`` (both included, city time; None: open-ended)."""

    subtypes: tuple[str, ...] | None = None
    channel: str | None = None
    source: str | None = None
    department: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Plan:
    """How a filter's period is read: whole months from the counts, edge days from the facts."""

    months: tuple[str | None, str | None] | None  # (first, last) month for case_fact_counts; None: no whole month
    edges: list[tuple[date, date]] = field(default_factory=list)  # day ranges inside one month each
    facts_only: bool = False  # everything from case_facts (a source filter)


def month_of(day: date) -> str:
    """yyyy-mm of a day."""
    return f"{day:%Y-%m}"


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _prev_month_end(day: date) -> date:
    return date.fromordinal(day.replace(day=1).toordinal() - 1)


def plan(flt: AnalysisFilter) -> Plan:
    """Split the filter's period into whole months (counts) and partial months (facts by day)."""
    since, until = flt.since, flt.until
    if flt.source is not None:
        return Plan(months=None, facts_only=True)
    edges: list[tuple[date, date]] = []
    first: str | None = None
    last: str | None = None
    if since is not None and until is not None and month_of(since) == month_of(until):
        if since.day == 1 and until == month_end(until):
            return Plan(months=(month_of(since), month_of(since)))
        return Plan(months=None, edges=[(since, until)])
    if since is not None:
        if since.day == 1:
            first = month_of(since)
        else:
            edges.append((since, month_end(since)))
            first = month_of(_next_month(since))
    if until is not None:
        if until == month_end(until):
            last = month_of(until)
        else:
            edges.append((until.replace(day=1), until))
            last = month_of(_prev_month_end(until))
    whole = None if first is not None and last is not None and first > last else (first, last)
    return Plan(months=whole, edges=edges)


def dimensions(flt: AnalysisFilter, alias: str = "") -> tuple[list[str], list[Any]]:
    """WHERE clauses on subtype, channel and department (columns of both tables)."""
    clauses: list[str] = []
    params: list[Any] = []
    if flt.subtypes is not None:
        if not flt.subtypes:
            return ["1 = 0"], []
        clauses.append(f"{alias}subtype IN ({', '.join('?' * len(flt.subtypes))})")
        params.extend(flt.subtypes)
    for column, value in (("channel", flt.channel), ("department", flt.department)):
        if value is not None:
            clauses.append(f"{alias}{column} = ?")
            params.append(value)
    return clauses, params


def month_clauses(months: tuple[str | None, str | None], alias: str = "") -> tuple[list[str], list[Any]]:
    """``month`` bounds (either may be open); one month as ``month = ?``, so an index on (month, day) also
    takes the day bounds (after a range on month it could not)."""
    if months[0] is not None and months[0] == months[1]:
        return [f"{alias}month = ?"], [months[0]]
    clauses, params = [], []
    for op, value in ((">=", months[0]), ("<=", months[1])):
        if value is not None:
            clauses.append(f"{alias}month {op} ?")
            params.append(value)
    return clauses, params


def facts_where(flt: AnalysisFilter, days: tuple[date | None, date | None], alias: str = "") -> tuple[str, list[Any]]:
    """The WHERE of a ``case_facts`` read over ``days``: month bounds (the index) then day bounds."""
    clauses, params = dimensions(flt, alias)
    if flt.source is not None:
        clauses.append(f"{alias}source = ?")
        params.append(flt.source)
    low, high = days
    more, values = month_clauses((month_of(low) if low else None, month_of(high) if high else None), alias)
    clauses += more
    params += values
    for op, day in ((">=", low), ("<=", high)):
        if day is not None:
            clauses.append(f"{alias}day {op} ?")
            params.append(day.isoformat())
    return " AND ".join(clauses) or "1 = 1", params


def counts_where(flt: AnalysisFilter, months: tuple[str | None, str | None], alias: str = "") -> tuple[str, list[Any]]:
    """The WHERE of a ``case_fact_counts`` read over whole months."""
    clauses, params = dimensions(flt, alias)
    more, values = month_clauses(months, alias)
    return " AND ".join(clauses + more) or "1 = 1", params + values
