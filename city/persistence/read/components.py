"""Read queries of routing (city/routing): the components in the cells around a point, the owners and classes a
load checks against, and each responsibility grid's street and street office."""

from __future__ import annotations

from typing import Any

from city.routing.registry import SERVING_STATES, Component
from engine.persistence.repositories.cases import CaseStore


def components_in_cells(store: CaseStore, subtype: str, cells: tuple[int, int, int, int]) -> list[Component]:
    """The in-service components of a class whose cell is within (x_min, x_max, y_min, y_max)."""
    x0, x1, y0, y1 = cells
    marks = ", ".join("?" for _ in SERVING_STATES)
    rows = store._execute(
        "SELECT id, subtype_code, lon, lat, owner_code, state, unit_grid FROM components"
        f" WHERE subtype_code = ? AND cell_x BETWEEN ? AND ? AND cell_y BETWEEN ? AND ? AND state IN ({marks})",
        (subtype, x0, x1, y0, y1, *SERVING_STATES)).fetchall()
    return [Component(r[0], r[1], float(r[2]), float(r[3]), r[4], r[5], r[6]) for r in rows]


def component_subtypes(store: CaseStore) -> dict[str, str]:
    """Subtype code → kind (``component`` 部件 or ``event`` 事件), for checking a census file's classes."""
    return {r[0]: r[1] for r in store._execute("SELECT code, kind FROM subtypes").fetchall()}


def event_subtypes(store: CaseStore) -> set[str]:
    """The codes of the 事件 (event) subtypes: a report of one looks for no component."""
    return {r[0] for r in store._execute("SELECT code FROM subtypes WHERE kind = 'event'").fetchall()}


def disabled_departments(store: CaseStore, codes: set[str] | None = None) -> set[str]:
    """Which of ``codes`` (all when None) are departments an admin disabled (停用)."""
    if codes is not None and not codes:
        return set()
    sql = "SELECT key FROM disabled_entries WHERE kind = 'department'"
    params: tuple[str, ...] = ()
    if codes is not None:
        params = tuple(sorted(codes))
        sql += f" AND key IN ({', '.join('?' for _ in params)})"
    return {r[0] for r in store._execute(sql, params).fetchall()}


def department_codes(store: CaseStore) -> set[str]:
    """The codes of the city's departments (the owners a census may name)."""
    return {r[0] for r in store._execute("SELECT code FROM departments").fetchall()}


def registry_summary(store: CaseStore) -> dict[str, Any]:
    """Components per class and state, and the newest loads: what ``gridcase components show`` prints."""
    by_class = {f"{r[0]}/{r[1]}": int(r[2]) for r in store._execute(
        "SELECT subtype_code, state, COUNT(*) FROM components GROUP BY subtype_code, state"
        " ORDER BY subtype_code, state").fetchall()}
    loads = [{"load": r[0], "loaded_at": str(r[1]), "loaded_by": r[2], "source": r[3], "mode": r[4],
              "added": r[5], "updated": r[6], "removed": r[7]} for r in store._execute(
        "SELECT id, loaded_at, loaded_by, source, mode, added, updated, removed FROM component_loads"
        " ORDER BY id DESC LIMIT 5").fetchall()]
    return {"components": sum(by_class.values()), "by_class_and_state": by_class, "loads": loads}


def resp_grid_streets(store: CaseStore) -> dict[str, tuple[str, str | None]]:
    """Responsibility grid → (street code, the street's department: its street office 街道办/乡镇), for the grids
    that lie in a street; a street without a department gives None."""
    rows = store._execute(
        "SELECT r.code, s.code, s.department_code FROM resp_grids r JOIN streets s ON s.code = r.street_code"
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}
