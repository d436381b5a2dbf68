"""Shared helpers of the census campaign tests: start a campaign over a few grids, read its rows, a point inside a
grid, a sweep task."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import shapely.geometry

from city.campaigns.commands import StartCampaign
from engine.persistence.read.tasks import TASK_COLUMNS
from engine.service.bus import MessageBus

STREET = "350602006000"  # the demo city's smallest street (83 unit grids), district 350602
COLLECTOR = "collector001"  # a collector of district 350602: the sweeps' group collector:350602
OTHER_COLLECTOR = "collector002"  # district 350603
LEAD = "shiftlead01"


def rows(bus: MessageBus, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """A read query on the app's database (the tests' assertions; the product reads through its read models)."""
    with bus.deps.uow(read_only=True) as uow:
        return [tuple(r) for r in uow.store._execute(statement, params).fetchall()]


def street_grids(bus: MessageBus, count: int) -> list[str]:
    """The first ``count`` unit grids of ``STREET``."""
    found = rows(bus, "SELECT u.code FROM unit_grids u JOIN resp_grids r ON r.code = u.resp_grid_code"
                      " WHERE r.street_code = ? ORDER BY u.code", STREET)
    return [r[0] for r in found[:count]]


def inside(bus: MessageBus, grid: str) -> tuple[float, float]:
    """A point inside the unit grid (lon, lat)."""
    (geometry,) = rows(bus, "SELECT geometry FROM unit_grids WHERE code = ?", grid)[0]
    point = shapely.geometry.shape(json.loads(geometry)).representative_point()
    return point.x, point.y


def start(bus: MessageBus, grids: list[str], topics: tuple[str, ...] = ("C01", "C05"), **fields: Any) -> dict[str, Any]:
    """Start a campaign over ``grids`` for a week from now, as the shift lead."""
    now = bus.deps.clock.now()
    command = StartCampaign(fields.pop("name", "井盖与占道专项普查"), fields.pop("kind", "census"), topics,
                            fields.pop("area", {"grids": grids}), fields.pop("starts_at", now),
                            fields.pop("ends_at", now + timedelta(days=7)), fields.pop("teams", ()),
                            fields.pop("actor", LEAD), **fields)
    result: dict[str, Any] = bus.handle(command)
    return result


def sweep_task(bus: MessageBus, campaign_id: int, grid: str) -> dict[str, Any]:
    """The grid's ready ``sweep_grid`` task row (id, candidate group …)."""
    found = rows(bus, f"SELECT {', '.join('h.' + c for c in TASK_COLUMNS)} FROM human_tasks h"
                      " JOIN campaign_grids g ON g.case_id = h.case_id"
                      " WHERE g.campaign_id = ? AND g.grid_code = ? AND h.bpmn_id = 'sweep_grid' AND h.state = 'ready'",
             campaign_id, grid)
    assert len(found) == 1, found
    return dict(zip(TASK_COLUMNS, found[0], strict=True))


def counts(bus: MessageBus) -> tuple[int, ...]:
    """How many cases, campaigns, grids, checks and findings are stored (a refusal changes none)."""
    return tuple(rows(bus, f"SELECT COUNT(*) FROM {table}")[0][0]
                 for table in ("cases", "campaigns", "campaign_grids", "campaign_checks", "campaign_findings"))
