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


def test_repair_makes_invalid_geometry_valid_and_says_which(db: sa.Engine, sql: Sql) -> None:
    bus = bootstrap(db, FakeClock())
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # self-intersecting
    resp = [_feature("R1", box(0, 0, 1, 1), district="D1")]
    with pytest.raises(InvalidCommand, match="--repair makes such geometry valid"):
        bus.handle(cc.LoadCity([_feature("BOW", bow_tie)], resp))
    counts = bus.handle(cc.LoadCity([_feature("BOW", bow_tie)], resp, repair=True))
    assert counts["unit_grids"] == 1 and len(counts["repaired"]) == 1
    assert counts["repaired"][0].startswith("unit_grids BOW: Self-intersection")
    (grid,) = sql("SELECT code, area_km2 FROM unit_grids")
    assert grid.code == "BOW" and grid.area_km2 > 0  # the two triangles of the bow tie
    assert bus.handle(cc.LoadCity([_feature("OK", box(0, 0, 1, 1))], resp, repair=True))["repaired"] == []


def test_projected_coordinates_are_refused_with_the_reason(db: sa.Engine, sql: Sql) -> None:
    # a file in metres (say UTM) would otherwise load as a city of 10^11 km²
    bus = bootstrap(db, FakeClock())
    metres = box(500_000, 2_700_000, 501_000, 2_701_000)
    with pytest.raises(InvalidCommand, match=r"unit_grids U9: coordinates \(500000, 2700000\) … .* not longitude/"
                                             r"latitude; the file looks projected \(metres\): reproject it to WGS 84"):
        bus.handle(cc.LoadCity([_feature("U9", metres)], [_feature("R1", box(0, 0, 1, 1), district="D1")]))
    assert sql("SELECT code FROM unit_grids") == []


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], capture_output=True, text=True,
                          cwd=ROOT)


def test_the_command_line_names_a_file_that_is_not_geojson_and_maps_fields(db_url_engine: tuple[str, sa.Engine],
                                                                             sql: Sql, tmp_path: Path) -> None:
    url, _ = db_url_engine
    csv = tmp_path / "grids.csv"
    csv.write_text("code,wkt\nU1,POLYGON((0 0,1 0,1 1,0 0))\n", "utf-8")
    resp = tmp_path / "resp.geojson"
    resp.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"GRID_ID": "R1", "NAME": "一街", "STREET": "D1"},
         "geometry": mapping(box(0, 0, 1, 1))}]}),
        "utf-8")
    units = tmp_path / "units.geojson"
    units.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"GRID_ID": 101, "NAME": "一号"}, "geometry": mapping(box(0, 0, 1, 1))}]}),
        "utf-8")
    refused = _cli(url, "city", "load", "--unit-grids", str(csv), "--resp-grids", str(resp))
    assert refused.returncode != 0 and "grids.csv: not GeoJSON" in refused.stderr and "ogr2ogr" in refused.stderr
    listed = tmp_path / "list.geojson"
    listed.write_text("[1, 2]", "utf-8")
    refused = _cli(url, "city", "load", "--unit-grids", str(listed), "--resp-grids", str(resp))
    assert refused.returncode != 0 and "list.geojson: not a GeoJSON FeatureCollection" in refused.stderr
    unmapped = _cli(url, "city", "load", "--unit-grids", str(units), "--resp-grids", str(resp), "--code-field", "CODE")
    assert unmapped.returncode != 0 and "feature 1 has no 'CODE' property (--code-field)" in unmapped.stderr
    loaded = _cli(url, "city", "load", "--unit-grids", str(units), "--resp-grids", str(resp), "--code-field", "GRID_ID",
                  "--name-field", "NAME", "--district-field", "STREET")
    assert loaded.returncode == 0, loaded.stderr
    placed = [(r.code, r.resp_grid_code, r.district_code) for r in sql("SELECT * FROM unit_grids")]
    assert placed == [("101", "R1", "D1")]  # a number read as the code's text
    assert [(r.code, r.name) for r in sql("SELECT code, name FROM resp_grids")] == [("R1", "一街")]


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
