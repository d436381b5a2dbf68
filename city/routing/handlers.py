"""The commands of this package and their handlers, registered by ``city.bootstrap``.

``LoadComponents``: the component (部件) registry from a city's census, checked whole before anything is
written — every refused row is named by its file and line or feature — then written in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import shapely.geometry

from city.grids.index import GridCell, GridIndex
from city.persistence.read import components as reads
from city.persistence.repositories.components import ComponentStore
from city.routing.commands import LoadComponents
from city.routing.registry import EXTERNAL_PREFIX, STATES, Component
from engine.domain.commands import Command
from engine.domain.errors import InvalidCommand
from engine.persistence.read.city import unit_grids
from engine.persistence.uow import UnitOfWork
from engine.service.bus import Handler, HandlerContext

MAX_LISTED = 20  # refusals named in one message; the rest are counted
ID_LIMIT, OWNER_LIMIT = 100, 200  # components.id and components.owner_code (migration 0025)


def load_components(cmd: LoadComponents, ctx: HandlerContext) -> dict[str, Any]:
    """Check every row, then replace or merge the registry, in one unit of work (``write_components``)."""
    deps = ctx.deps
    with deps.uow() as uow:
        return write_components(uow, cmd.rows, cmd.source, replace=cmd.replace, actor=cmd.actor,
                                now=deps.clock.now())


def write_components(uow: UnitOfWork, rows: Sequence[dict[str, Any]], source: str, *, replace: bool, actor: str,
                     now: datetime) -> dict[str, Any]:
    """The registry load inside the caller's unit of work (a city package load calls it after writing the
    catalogue and grids it checks against): InvalidCommand naming every refused row, else what changed and how
    many components lie outside every unit grid (kept, without a grid)."""
    departments = reads.department_codes(uow.store)
    components = _checked(rows, reads.component_subtypes(uow.store), departments,
                          reads.disabled_departments(uow.store, departments))
    located = _with_grids(components, unit_grids(uow.store))
    repo = uow.repository(ComponentStore)
    ids = [c.id for c in located]
    existing, before = repo.existing_ids(ids), repo.count()
    if replace:
        repo.clear()
    else:
        repo.remove(sorted(existing))
    repo.add(located, now)
    counts = (len(ids) - len(existing), len(existing), before - len(existing) if replace else 0)
    load = repo.record_load(now, actor, source, "replace" if replace else "merge", counts)
    by_class: dict[str, int] = {}
    for component in located:
        by_class[component.subtype] = by_class.get(component.subtype, 0) + 1
    return {"load": load, "added": counts[0], "updated": counts[1], "removed": counts[2], "total": repo.count(),
            "outside_grids": sum(1 for c in located if c.unit_grid is None), "by_class": dict(sorted(by_class.items()))}


def _checked(rows: Sequence[dict[str, Any]], subtypes: dict[str, str], departments: set[str],
             disabled: set[str]) -> list[Component]:
    """The rows as components, or InvalidCommand naming each refused row (up to ``MAX_LISTED``)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    components = []
    for row in rows:
        where = str(row.get("where") or "row")
        problem = _problem(row, subtypes, departments) or _more_problem(row, disabled)
        if problem is None and row["id"] in seen:
            problem = f"id {row['id']} is also at {seen[row['id']]}"
        if problem is not None:
            problems.append(f"{where}: {problem}")
            continue
        seen[row["id"]] = where
        components.append(Component(row["id"], row["class"], float(row["lon"]), float(row["lat"]), row["owner"],
                                    row["state"]))
    if not rows:
        raise InvalidCommand("the file holds no components", field="components")
    if problems:
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise InvalidCommand(f"{len(problems)} refused, nothing loaded: " + "; ".join(problems[:MAX_LISTED]) + more,
                             field="components")
    return components


def _more_problem(row: dict[str, Any], disabled: set[str]) -> str | None:
    """Too long for its column, or owned by a disabled (停用) department, which takes no case."""
    owner = str(row.get("owner") or "")
    # the columns' widths (components.id 100, owner_code 200): longer would be cut or refused by the database
    if len(str(row["id"])) > ID_LIMIT:
        return f"id is {len(str(row['id']))} characters long (at most {ID_LIMIT})"
    if len(owner) > OWNER_LIMIT:
        return f"owner is {len(owner)} characters long (at most {OWNER_LIMIT})"
    if owner in disabled:
        return f"owner {owner!r} is a disabled department (停用): enable it or name the component's new owner"
    return None


def _problem(row: dict[str, Any], subtypes: dict[str, str], departments: set[str]) -> str | None:
    """Why a row cannot be a component, or None."""
    klass, owner, state = row.get("class"), str(row.get("owner") or ""), row.get("state")
    if not row.get("id"):
        return "no id"

    if klass not in subtypes:
        return f"unknown component class {klass!r} (not a subtype of the catalogue)"
    if subtypes[klass] != "component":
        return f"class {klass} is an event (事件) subtype, not a component (部件)"
    if owner.startswith(EXTERNAL_PREFIX):
        if not owner[len(EXTERNAL_PREFIX):].strip():
            return f"owner {owner!r} names no external owner"
    elif owner not in departments:
        return (f"unknown owner {owner!r}: give a department code of the city, or {EXTERNAL_PREFIX}NAME for an "
                "owner outside it")
    if state not in STATES:
        return f"state {state!r} is not one of {', '.join(STATES)}"
    lon, lat = row.get("lon"), row.get("lat")
    if not isinstance(lon, int | float) or not isinstance(lat, int | float) or not (-180 <= lon <= 180 and
                                                                                    -90 <= lat <= 90):
        return (f"({lon}, {lat}) is not longitude/latitude: give the file's coordinate system (--crs EPSG:…) or "
                "reproject it to EPSG:4326")
    return None


def _with_grids(components: list[Component], grids: list[tuple[str, str, str, str]]) -> list[Component]:
    """Each component with the unit grid it lies in (None outside every grid, or when no city is loaded)."""
    if not grids or not components:
        return components
    index = GridIndex([GridCell(code, resp, district, shapely.geometry.shape(json.loads(geometry)))
                       for code, resp, district, geometry in grids])
    hits = index.locate_many([(c.lon, c.lat) for c in components])
    return [Component(c.id, c.subtype, c.lon, c.lat, c.owner, c.state, None if hit is None else hit.unit_grid)
            for c, hit in zip(components, hits, strict=True)]


ROUTING_HANDLERS: dict[type[Command], Handler] = {LoadComponents: load_components}
