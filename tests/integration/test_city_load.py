"""Loading a city: grids from GeoJSON (nested by area), the demo seed, stats, and refusals that keep the old city."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import Polygon, box, mapping

from city import commands as cc
from city.bootstrap import bootstrap
from city.catalog.loading import city_stats
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.domain.passwords import check_password

Sql = Callable[..., list[sa.Row]]
ROOT = Path(__file__).resolve().parents[2]


def _feature(code: str, geometry: object, **props: object) -> dict:
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": mapping(geometry)}


def test_unit_grids_go_to_the_responsibility_grid_containing_most_of_them(db: sa.Engine, sql: Sql) -> None:
    bus = bootstrap(db, FakeClock())
    resp = [_feature("R1", box(0, 0, 1, 1), district="D1"), _feature("R2", box(1, 0, 2, 1), district="D2")]
    units = [_feature("U1", box(0, 0, 0.5, 1)), _feature("U2", box(0.8, 0, 1.1, 1)), _feature("U3", box(1.5, 0, 2, 1))]
    counts = bus.handle(cc.LoadCity(units, resp))
    assert counts == {"districts": 2, "resp_grids": 2, "unit_grids": 3}
    placed = {r.code: (r.resp_grid_code, r.district_code) for r in sql("SELECT * FROM unit_grids")}
    assert placed == {"U1": ("R1", "D1"), "U2": ("R1", "D1"), "U3": ("R2", "D2")}  # U2 is 2/3 inside R1


def test_invalid_geometry_is_refused_and_the_previous_city_stays(db: sa.Engine, sql: Sql) -> None:
    bus = bootstrap(db, FakeClock())
    bus.handle(cc.LoadCity([_feature("U1", box(0, 0, 1, 1))], [_feature("R1", box(0, 0, 1, 1), district="D1")]))
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(InvalidCommand, match="unit_grids BAD: invalid geometry"):
        bus.handle(cc.LoadCity([_feature("BAD", bow_tie)], [_feature("R1", box(0, 0, 1, 1), district="D1")]))
    with pytest.raises(InvalidCommand, match="grid FAR lies outside every enclosing grid"):
        bus.handle(cc.LoadCity([_feature("FAR", box(5, 5, 6, 6))], [_feature("R1", box(0, 0, 1, 1), district="D1")]))
    assert [r.code for r in sql("SELECT code FROM unit_grids")] == ["U1"]


def test_demo_seed_loads_the_whole_city_and_stats_count_it(db_url_engine: tuple[str, sa.Engine], sql: Sql) -> None:
    url, db = db_url_engine
    command = [sys.executable, "-m", "cli", "--database-url", url]
    seeded = subprocess.run([*command, "demo", "seed"], capture_output=True, text=True, cwd=ROOT, check=True)
    stats = json.loads(subprocess.run([*command, "city", "stats", "--json"], capture_output=True, text=True,
                                      cwd=ROOT, check=True).stdout)
    assert json.loads(seeded.stdout) == stats == {"unit_grids": 4226, "resp_grids": 45, "districts": 3,
                                                  "aspects": 17, "subtypes": 135, "departments": 80, "users": 386}
    assert stats == city_stats(bootstrap(db, FakeClock()).deps)
    (user,) = sql("SELECT password_hash, role FROM users WHERE role = 'dispatcher' LIMIT 1")
    assert check_password("gridcase-demo", user.password_hash) and not check_password("guess", user.password_hash)
    (garbage,) = sql("SELECT name_zh, limit_unit FROM subtypes WHERE code = '0601'")
    assert garbage.name_zh == "暴露垃圾"
