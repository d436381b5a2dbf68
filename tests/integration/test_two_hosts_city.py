"""Two hosts on one database: a city loaded through one bus is seen by the other's ``locate()`` without a restart.

Each bus stands for a host (its own caches and grid index); the loading host sees its load at once (its locator is
reset), the other one at its next generation check (at most ``CHECK_EVERY_SECONDS`` of its clock later).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from shapely.geometry import box, mapping

from city import commands as cc
from city.bootstrap import bootstrap
from city.grids.locator import CHECK_EVERY_SECONDS
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus


def _feature(code: str, west: float, east: float, **props: object) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": mapping(box(west, 0, east, 1))}


def _city(unit_codes: tuple[str, str], district: str) -> cc.LoadCity:
    """Two unit grids side by side in one responsibility grid of ``district``."""
    units = [_feature(unit_codes[0], 0, 0.5), _feature(unit_codes[1], 0.5, 1)]
    return cc.LoadCity(units, [_feature("R1", 0, 1, district=district)])


def _locate(bus: MessageBus, lon: float, lat: float) -> dict[str, str] | None:
    found: dict[str, str] | None = bus.deps.script_helpers["locate"](lon, lat)
    return found


def test_a_city_load_on_one_host_is_seen_by_the_other(db: sa.Engine) -> None:
    clock_a, clock_b = FakeClock(), FakeClock()
    host_a, host_b = bootstrap(db, clock_a), bootstrap(db, clock_b)
    assert _locate(host_b, 0.25, 0.5) is None  # no city yet: B has looked and found none
    host_a.handle(_city(("U1", "U2"), "D1"))
    assert _locate(host_a, 0.25, 0.5) == {"unit_grid": "U1", "resp_grid": "R1", "district": "D1"}
    clock_b.advance(seconds=CHECK_EVERY_SECONDS)
    assert _locate(host_b, 0.25, 0.5) == {"unit_grid": "U1", "resp_grid": "R1", "district": "D1"}

    host_a.handle(_city(("V1", "V2"), "D2"))  # a reload: same shapes, new codes
    assert _locate(host_b, 0.75, 0.5) == {"unit_grid": "U2", "resp_grid": "R1", "district": "D1"}  # not checked yet
    clock_b.advance(seconds=CHECK_EVERY_SECONDS)
    assert _locate(host_b, 0.75, 0.5) == {"unit_grid": "V2", "resp_grid": "R1", "district": "D2"}
    assert _locate(host_b, 5, 5) is None  # outside the city


def test_a_load_that_changes_only_a_shape_is_seen_too(db: sa.Engine) -> None:
    clock_b = FakeClock()
    host_a, host_b = bootstrap(db, FakeClock()), bootstrap(db, clock_b)
    host_a.handle(_city(("U1", "U2"), "D1"))
    assert _locate(host_b, 0.6, 0.5) == {"unit_grid": "U2", "resp_grid": "R1", "district": "D1"}
    moved = [_feature("U1", 0, 0.7), _feature("U2", 0.7, 1)]  # same codes, counts and parents; U1 grew
    host_a.handle(cc.LoadCity(moved, [_feature("R1", 0, 1, district="D1")]))
    clock_b.advance(seconds=CHECK_EVERY_SECONDS)
    assert _locate(host_b, 0.6, 0.5) == {"unit_grid": "U1", "resp_grid": "R1", "district": "D1"}


def test_an_unchanged_city_keeps_the_built_index(db: sa.Engine) -> None:
    clock = FakeClock()
    host_a, host_b = bootstrap(db, FakeClock()), bootstrap(db, clock)
    host_a.handle(_city(("U1", "U2"), "D1"))
    _locate(host_b, 0.25, 0.5)
    locate = host_b.deps.script_helpers["locate"]
    index_before = _index_of(locate)
    clock.advance(seconds=CHECK_EVERY_SECONDS * 3)
    _locate(host_b, 0.25, 0.5)
    assert _index_of(locate) is index_before


def _index_of(locate: Any) -> Any:
    """The grid index behind a bus's ``locate`` helper: the locator's bound method sits in the helper's closure, or in
    the closure of the function it wraps (the step's answers are recorded around it)."""
    pending, seen = [locate], set()
    while pending:
        function = pending.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        owner = getattr(function, "__self__", None)
        if owner is not None and hasattr(owner, "_index"):
            return owner._index
        pending.extend(cell.cell_contents for cell in getattr(function, "__closure__", None) or ()
                       if callable(cell.cell_contents))
        wrapped = getattr(function, "__wrapped__", None)
        if wrapped is not None:
            pending.append(wrapped)
    raise AssertionError("no grid locator behind the locate helper")
