"""High-frequency and hard problems: the top subtypes per unit grid and per street (responsibility grid),
recurring locations (many cases in one ~30 m cell) and cases reworked or returned again and again.

Cells are lon/lat rounded to 1/3600° of longitude (≈ 28 m at Zhangzhou's latitude) and 1/4000° of
latitude (≈ 28 m), grouped in SQL (``city.persistence.read.analysis.recurring_cells``).
"""

from __future__ import annotations

from typing import Any

from city.analysis.filter import AnalysisFilter, grouped
from city.persistence.read import analysis as reads
from engine.persistence.read import city
from engine.persistence.repositories.cases import CaseStore
from engine.service.deps import Deps

LON_CELLS = 3600  # cells per degree of longitude
LAT_CELLS = 4000  # cells per degree of latitude
MIN_RECURRING = 3  # cases in one cell to call it a recurring location
MIN_REPEATS = 2  # reworks + returns to call a case hard


def _streets(store: CaseStore) -> tuple[dict[str, str], dict[str, str]]:
    """unit grid → its responsibility grid (street), and street code → name."""
    units = {code: resp for code, resp, _, _ in city.unit_grids(store)}
    return units, city.street_names(store)


def _top(counts: dict[tuple[str, str], int], limit: int) -> list[tuple[tuple[str, str], int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _recurring(store: CaseStore, flt: AnalysisFilter, limit: int, min_cases: int) -> list[dict[str, Any]]:
    rows = reads.recurring_cells(store, flt, LON_CELLS, LAT_CELLS, min_cases, limit)
    return [{"lon": round(float(x) / LON_CELLS, 6), "lat": round(float(y) / LAT_CELLS, 6), "cases": int(n),
             "subtypes": int(kinds), "unit_grid": low, "unit_grids": 1 if low == high else 2}
            for x, y, n, kinds, low, high in rows]


def _repeated(store: CaseStore, flt: AnalysisFilter, limit: int, min_repeats: int) -> list[dict[str, Any]]:
    return reads.repeated_cases(store, flt, min_repeats, limit)


def hotspots(deps: Deps, flt: AnalysisFilter, limit: int = 20, *, min_cases: int = MIN_RECURRING,
             min_repeats: int = MIN_REPEATS) -> dict[str, Any]:
    """``{grids: [{unit_grid, subtype, cases}], streets: [{resp_grid, name, subtype, cases}],
    recurring: [{lon, lat, cases, subtypes, unit_grid}], repeated: [{case_no, …, reworks, returns}]}``,
    each the ``limit`` largest (ties by code)."""
    with deps.uow(read_only=True) as uow:
        store = uow.store
        per_grid = grouped(store, flt, ("unit_grid", "subtype"), exclude_empty="unit_grid")
        units, names = _streets(store)
        recurring = _recurring(store, flt, limit, min_cases)
        repeated = _repeated(store, flt, limit, min_repeats)
    per_street: dict[tuple[str, str], int] = {}
    for (grid, subtype), n in per_grid.items():
        street = units.get(grid)
        if street is not None:
            per_street[(street, subtype)] = per_street.get((street, subtype), 0) + n
    return {
        "grids": [{"unit_grid": g, "subtype": s, "cases": n} for (g, s), n in _top(per_grid, limit)],
        "streets": [{"resp_grid": r, "name": names.get(r, r), "subtype": s, "cases": n}
                    for (r, s), n in _top(per_street, limit)],
        "recurring": recurring,
        "repeated": repeated,
    }
