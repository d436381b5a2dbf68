"""Counts and rows of the case facts for the analysis pages: cases grouped by any of month, day, unit grid,
subtype, channel and department (whole months from the ``case_fact_counts`` rollup, partial months from
``case_facts``, see ``analysis_plan``), a point sample, one grid's cases, recurring locations and cases reworked
or returned again and again."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.persistence.read.analysis_plan import (
    AnalysisFilter,
    counts_where,
    facts_where,
    month_clauses,
    plan,
)
from engine.persistence.store import CaseStore

GRID_INDEX_MONTHS = 12  # longer (or open) periods count per grid from the facts' (unit_grid, month) index
CASE_COLUMNS = ("case_no", "reported_at", "channel", "subtype", "department", "result", "reworks", "returns",
                "overdue", "source")
REPEATED_COLUMNS = ("case_no", "subtype", "unit_grid", "department", "reworks", "returns", "result")


def grouped(store: CaseStore, flt: AnalysisFilter, keys: tuple[str, ...], *, facts_only: bool = False,
            exclude_empty: str | None = None) -> dict[tuple[Any, ...], int]:
    """Cases counted by ``keys`` (columns of both tables: month, unit_grid, subtype, channel, department):
    whole months from the rollup, partial months from the facts. ``exclude_empty`` names a key column whose
    empty value (no grid, say) is left out."""
    how = plan(flt)
    out: dict[tuple[Any, ...], int] = {}
    cols = ", ".join(keys)

    def add(rows: list[Any]) -> None:
        for *key, cases in rows:
            out[tuple(key)] = out.get(tuple(key), 0) + int(cases)

    if facts_only or how.facts_only:
        spans: list[tuple[date | None, date | None]] = [(flt.since, flt.until)]
    else:
        spans = list(how.edges)
        if how.months is not None:
            add(_whole_months(store, flt, how.months, keys, exclude_empty))
    for span in spans:
        where, params = facts_where(flt, span)
        if exclude_empty:
            where += f" AND {exclude_empty} IS NOT NULL"
        add(store.execute(f"SELECT {cols}, COUNT(*) FROM case_facts WHERE {where} GROUP BY {cols}",
                          params).fetchall())
    return {k: n for k, n in out.items() if n > 0}


def _span(months: tuple[str | None, str | None]) -> int | None:
    """How many months the bounds cover; None when open-ended."""
    low, high = months
    if low is None or high is None:
        return None
    return (int(high[:4]) - int(low[:4])) * 12 + int(high[5:7]) - int(low[5:7]) + 1


def _whole_months(store: CaseStore, flt: AnalysisFilter, months: tuple[str | None, str | None],
                  keys: tuple[str, ...], exclude_empty: str | None) -> list[Any]:
    """Counts over whole months. Per unit grid without a subtype, channel or department filter over more
    than ``GRID_INDEX_MONTHS`` (or all of them), ``case_facts``' covering (unit_grid, month) index is read in
    grid order: no sort, unlike the rollup, whose rows come in month order. Otherwise the rollup."""
    cols = ", ".join(keys)
    plain = flt.subtypes is None and flt.channel is None and flt.department is None
    span = _span(months)
    if keys == ("unit_grid",) and plain and (span is None or span > GRID_INDEX_MONTHS):
        # SQLite without statistics would pick the month index for month bounds and then sort: ``+month``
        # keeps it on the covering index (PostgreSQL has no such operator and plans from its statistics).
        column = "+month" if store.dialect.sqlite else "month"
        clauses, params = month_clauses(months)
        where = " AND ".join(["unit_grid IS NOT NULL", *(c.replace("month", column, 1) for c in clauses)])
        return list(store.execute(f"SELECT unit_grid, COUNT(*) FROM case_facts WHERE {where} GROUP BY unit_grid",
                                  params).fetchall())
    where, params = counts_where(flt, months)
    if exclude_empty:
        where += f" AND {exclude_empty} <> ''"
    return list(store.execute(f"SELECT {cols}, SUM(cases) FROM case_fact_counts WHERE {where} GROUP BY {cols}",
                              params).fetchall())


def points(store: CaseStore, flt: AnalysisFilter, limit: int) -> list[tuple[float, float]]:
    """(lat, lon) of the latest matching cases with a place, newest months first, at most ``limit``."""
    where, params = facts_where(flt, (flt.since, flt.until))
    return store.execute(f"SELECT lat, lon FROM case_facts WHERE {where} AND lon IS NOT NULL"
                         " AND lat IS NOT NULL ORDER BY month DESC LIMIT ?", [*params, limit]).fetchall()


def grid_case_page(store: CaseStore, unit_grid: str, flt: AnalysisFilter, limit: int,
                   offset: int) -> tuple[int, list[dict[str, Any]]]:
    """How many cases of one unit grid match, and one page of them (``CASE_COLUMNS``), newest first."""
    where, params = facts_where(flt, (flt.since, flt.until))
    where, params = f"unit_grid = ? AND {where}", [unit_grid, *params]
    total = int(store.execute(f"SELECT COUNT(*) FROM case_facts WHERE {where}", params).fetchone()[0])
    rows = store.execute(f"SELECT {', '.join(CASE_COLUMNS)} FROM case_facts WHERE {where}"
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
    return store.execute(
        f"SELECT {cell}, COUNT(*), COUNT(DISTINCT subtype), MIN(unit_grid), MAX(unit_grid) FROM case_facts"
        f" WHERE {where} AND lon IS NOT NULL AND lat IS NOT NULL GROUP BY {cell} HAVING COUNT(*) >= ?"
        f" ORDER BY COUNT(*) DESC, {cell} LIMIT ?", [*params, min_cases, limit]).fetchall()


def repeated_cases(store: CaseStore, flt: AnalysisFilter, min_repeats: int, limit: int) -> list[dict[str, Any]]:
    """Matching cases reworked plus returned at least ``min_repeats`` times (``REPEATED_COLUMNS``), most first."""
    where, params = facts_where(flt, (flt.since, flt.until))
    rows = store.execute(
        "SELECT case_no, subtype, unit_grid, department, reworks, returns, result FROM case_facts"
        f" WHERE {where} AND reworks + returns >= ? ORDER BY reworks + returns DESC, case_no DESC LIMIT ?",
        [*params, min_repeats, limit]).fetchall()
    return [dict(zip(REPEATED_COLUMNS, row, strict=True)) for row in rows]


def fact_months(store: CaseStore) -> list[str]:
    """The months the per-month counts hold (yyyy-mm), in order."""
    return [r[0] for r in store.execute("SELECT DISTINCT month FROM case_fact_counts ORDER BY month").fetchall()]


def history_case_count(store: CaseStore) -> int:
    """How many imported history cases the facts hold."""
    return int(store.execute("SELECT COUNT(*) FROM case_facts WHERE source = 'history'").fetchone()[0])


def count_rows(store: CaseStore) -> int:
    """How many rows the per-month counts have."""
    return int(store.execute("SELECT COUNT(*) FROM case_fact_counts").fetchone()[0])


def history_case_at(store: CaseStore, month: str, offset: int) -> str | None:
    """The number of the ``offset``-th history case reported in ``month`` (in no particular order), or None."""
    row = store.execute("SELECT case_no FROM case_facts WHERE month = ? AND source = 'history' LIMIT 1 OFFSET ?",
                        (month, offset)).fetchone()
    return None if row is None else str(row[0])


def rollup_per_grid(store: CaseStore, month: str | None) -> dict[str, int]:
    """Cases per unit grid from the per-month counts alone, over one month or all of them."""
    where, params = ("WHERE month = ?", (month,)) if month else ("", ())
    rows = store.execute(f"SELECT unit_grid, SUM(cases) FROM case_fact_counts {where} GROUP BY unit_grid", params)
    return {r[0]: int(r[1]) for r in rows.fetchall()}
