"""Counts and rows of the case facts for the analysis pages: cases grouped by any of month, day, unit grid,
subtype, channel and department (whole months from the ``case_fact_counts`` rollup — per unit grid without a
subtype, channel or department filter from ``case_fact_grid_counts``, which also holds the source — partial
months from ``case_facts``, see ``analysis_plan``; per unit grid of one channel from
``case_fact_channel_counts``), a point sample, one grid's cases, recurring locations and
cases reworked or returned again and again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from city.persistence.read.analysis_plan import (
    AnalysisFilter,
    counts_where,
    facts_where,
    month_clauses,
    plan,
)
from engine.persistence.repositories.cases import CaseStore

CASE_COLUMNS = ("case_no", "reported_at", "channel", "subtype", "department", "result", "reworks", "returns",
                "overdue", "source")
REPEATED_COLUMNS = ("case_no", "subtype", "unit_grid", "department", "reworks", "returns", "result")


def grouped(store: CaseStore, flt: AnalysisFilter, keys: tuple[str, ...], *, facts_only: bool = False,
            exclude_empty: str | None = None) -> dict[tuple[Any, ...], int]:
    """Cases counted by ``keys`` (columns of both tables: month, unit_grid, subtype, channel, department):
    whole months from the rollup, partial months from the facts. Per unit grid alone without a subtype,
    channel or department filter, whole months come from ``case_fact_grid_counts`` (which holds the source, so
    a source filter reads only its edge days from the facts), with a channel filter alone from
    ``case_fact_channel_counts``. ``exclude_empty`` names a key column whose empty value (no grid, say) is left
    out."""
    plain = flt.subtypes is None and flt.department is None
    per_grid = keys == ("unit_grid",) and plain and flt.channel is None and not facts_only
    per_channel = keys == ("unit_grid",) and plain and flt.channel is not None and flt.source is None \
        and not facts_only
    how = plan(replace(flt, source=None) if per_grid else flt)
    out: dict[tuple[Any, ...], int] = {}
    cols = ", ".join(keys)

    def add(rows: list[Any]) -> None:
        for *key, cases in rows:
            out[tuple(key)] = out.get(tuple(key), 0) + int(cases)

    spans: list[tuple[date | None, date | None]] = list(how.edges)
    if facts_only or how.facts_only:
        spans = [(flt.since, flt.until)]
    elif how.months is not None and per_grid:
        add(_grid_months(store, flt.source, how.months, exclude_empty))
    elif how.months is not None and per_channel:
        add(_channel_months(store, str(flt.channel), how.months, exclude_empty))
    elif how.months is not None:
        add(_whole_months(store, flt, how.months, keys, exclude_empty))
    for span in spans:
        where, params = facts_where(flt, span)
        if exclude_empty:
            where += f" AND {exclude_empty} IS NOT NULL"
        add(store._execute(f"SELECT {cols}, COUNT(*) FROM case_facts WHERE {where} GROUP BY {cols}",
                          params).fetchall())
    return {k: n for k, n in out.items() if n > 0}


def _grid_months(store: CaseStore, source: str | None, months: tuple[str | None, str | None],
                 exclude_empty: str | None) -> list[Any]:
    """Cases per unit grid over whole months (of one source, or both) from ``case_fact_grid_counts``: one row
    per grid, month and source, read in grid order over all months, by its (month, unit_grid) index otherwise."""
    clauses, params = month_clauses(months)
    if source is not None:
        clauses.append("source = ?")
        params.append(source)
    if exclude_empty:
        clauses.append(f"{exclude_empty} <> ''")
    where = " AND ".join(clauses) or "1 = 1"
    return list(store._execute(f"SELECT unit_grid, SUM(cases) FROM case_fact_grid_counts WHERE {where}"
                              " GROUP BY unit_grid", params).fetchall())


def _channel_months(store: CaseStore, channel: str, months: tuple[str | None, str | None],
                    exclude_empty: str | None) -> list[Any]:
    """Cases per unit grid of one channel over whole months from ``case_fact_channel_counts``: one row per
    channel, grid and month, read in grid order over all months (its primary key), by its (month, channel)
    index otherwise."""
    clauses, params = month_clauses(months)
    clauses.append("channel = ?")
    params.append(channel)
    if exclude_empty:
        clauses.append(f"{exclude_empty} <> ''")
    return list(store._execute(f"SELECT unit_grid, SUM(cases) FROM case_fact_channel_counts"
                              f" WHERE {' AND '.join(clauses)} GROUP BY unit_grid", params).fetchall())


def _whole_months(store: CaseStore, flt: AnalysisFilter, months: tuple[str | None, str | None],
                  keys: tuple[str, ...], exclude_empty: str | None) -> list[Any]:
    """Counts over whole months from the rollup ``case_fact_counts`` (its indexes led by subtype, channel or
    department, or its primary key led by month)."""
    cols = ", ".join(keys)
    where, params = counts_where(flt, months)
    if exclude_empty:
        where += f" AND {exclude_empty} <> ''"
    return list(store._execute(f"SELECT {cols}, SUM(cases) FROM case_fact_counts WHERE {where} GROUP BY {cols}",
                              params).fetchall())


def points(store: CaseStore, flt: AnalysisFilter, limit: int) -> list[tuple[float, float]]:
    """(lat, lon) of the latest matching cases with a place, newest months first, at most ``limit``."""
    where, params = facts_where(flt, (flt.since, flt.until))
    rows: list[tuple[float, float]] = store._execute(
        f"SELECT lat, lon FROM case_facts WHERE {where} AND lon IS NOT NULL"
        " AND lat IS NOT NULL ORDER BY month DESC LIMIT ?", [*params, limit]).fetchall()
    return rows


def grid_case_page(store: CaseStore, unit_grid: str, flt: AnalysisFilter, limit: int,
                   offset: int) -> tuple[int, list[dict[str, Any]]]:
    """How many cases of one unit grid match, and one page of them (``CASE_COLUMNS``), newest first."""
    where, params = facts_where(flt, (flt.since, flt.until))
    where, params = f"unit_grid = ? AND {where}", [unit_grid, *params]
    total = int(store._execute(f"SELECT COUNT(*) FROM case_facts WHERE {where}", params).fetchone()[0])
    rows = store._execute(f"SELECT {', '.join(CASE_COLUMNS)} FROM case_facts WHERE {where}"
                         " ORDER BY reported_at DESC, case_no DESC LIMIT ? OFFSET ?",
                         [*params, limit, offset]).fetchall()
    return total, [dict(zip(CASE_COLUMNS, row, strict=True)) for row in rows]


def recurring_cells(store: CaseStore, flt: AnalysisFilter, lon_cells: int, lat_cells: int, min_cases: int,
                    limit: int) -> list[tuple[Any, ...]]:
    """Cells of ``1/lon_cells`` × ``1/lat_cells`` degrees with at least ``min_cases`` matching cases, the fullest
    first: (lon cell, lat cell, cases, distinct subtypes, lowest unit grid, highest unit grid). ``ROUND`` behaves
    the same on SQLite and PostgreSQL, so both group alike."""
    where, params = facts_where(flt, (flt.since, flt.until))
    cell = f"ROUND(lon * {int(lon_cells)}), ROUND(lat * {int(lat_cells)})"
    rows: list[tuple[Any, ...]] = store._execute(
        f"SELECT {cell}, COUNT(*), COUNT(DISTINCT subtype), MIN(unit_grid), MAX(unit_grid) FROM case_facts"
        f" WHERE {where} AND lon IS NOT NULL AND lat IS NOT NULL GROUP BY {cell} HAVING COUNT(*) >= ?"
        f" ORDER BY COUNT(*) DESC, {cell} LIMIT ?", [*params, min_cases, limit]).fetchall()
    return rows


def repeated_cases(store: CaseStore, flt: AnalysisFilter, min_repeats: int, limit: int) -> list[dict[str, Any]]:
    """Matching cases reworked plus returned at least ``min_repeats`` times (``REPEATED_COLUMNS``), most first."""
    where, params = facts_where(flt, (flt.since, flt.until))
    rows = store._execute(
        "SELECT case_no, subtype, unit_grid, department, reworks, returns, result FROM case_facts"
        f" WHERE {where} AND reworks + returns >= ? ORDER BY reworks + returns DESC, case_no DESC LIMIT ?",
        [*params, min_repeats, limit]).fetchall()
    return [dict(zip(REPEATED_COLUMNS, row, strict=True)) for row in rows]


def fact_months(store: CaseStore) -> list[str]:
    """The months the per-month counts hold (yyyy-mm), in order."""
    return [r[0] for r in store._execute("SELECT DISTINCT month FROM case_fact_counts ORDER BY month").fetchall()]


def history_case_count(store: CaseStore) -> int:
    """How many imported history cases the facts hold."""
    return int(store._execute("SELECT COUNT(*) FROM case_facts WHERE source = 'history'").fetchone()[0])


def count_rows(store: CaseStore) -> int:
    """How many rows the per-month counts have."""
    return int(store._execute("SELECT COUNT(*) FROM case_fact_counts").fetchone()[0])


def history_case_at(store: CaseStore, month: str, offset: int) -> str | None:
    """The number of the ``offset``-th history case reported in ``month`` (in no particular order), or None."""
    row = store._execute("SELECT case_no FROM case_facts WHERE month = ? AND source = 'history' LIMIT 1 OFFSET ?",
                        (month, offset)).fetchone()
    return None if row is None else str(row[0])


def rollup_per_grid(store: CaseStore, month: str | None) -> dict[str, int]:
    """Cases per unit grid from the per-month counts alone, over one month or all of them."""
    where, params = ("WHERE month = ?", (month,)) if month else ("", ())
    rows = store._execute(f"SELECT unit_grid, SUM(cases) FROM case_fact_counts {where} GROUP BY unit_grid", params)
    return {r[0]: int(r[1]) for r in rows.fetchall()}
