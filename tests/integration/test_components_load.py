"""``gridcase components load`` / ``LoadComponents``: the census of components (部件普查) in the registry, all or
nothing — each refused row named by its file and line or feature — merged by id or replacing the registry; and
the locator's nearest component of a class, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.catalog.reader import load_catalog
from city.catalog.rules import CITY
from city.commands import LoadCatalog, LoadCity
from city.routing.commands import LoadComponents
from city.routing.points import ComponentFileError, Fields, read_components
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.service.bus import MessageBus

ROOT = Path(__file__).resolve().parents[2]
CSV_HEADER = "编号,类别,权属,状态,经度,纬度\n"
FIELDS = Fields(id="编号", klass="类别", owner="权属", state="状态", lon="经度", lat="纬度")


def square(code: str, west: float, south: float, size: float, **props: str) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Feature", "properties": {"code": code, **props},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.fixture
def city_bus(db: Engine) -> MessageBus:
    """The demo catalogue (no users) on two unit grids of one responsibility grid."""
    bus = bootstrap(db, FakeClock())
    catalog = load_catalog(CITY)
    bus.handle(LoadCatalog(tuple(asdict(a) for a in catalog.aspects.values()),
                           tuple(asdict(s) for s in catalog.subtypes.values()),
                           tuple(asdict(d) for d in catalog.departments.values()), ()))
    bus.handle(LoadCity((square("U1", 117.64, 24.50, 0.01), square("U2", 117.65, 24.50, 0.01)),
                        (square("R1", 117.64, 24.50, 0.02, district="350602"),)))
    return bus


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def rows_of(path: Path) -> tuple[dict[str, Any], ...]:
    return tuple(read_components(path, FIELDS))


def registry(db: Engine) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT id, subtype_code, owner_code, state, unit_grid FROM components ORDER BY id"))]


def test_a_csv_census_loads_with_its_own_column_names_and_grids(city_bus: MessageBus, db: Engine,
                                                                tmp_path: Path) -> None:
    path = write(tmp_path, "普查.csv", CSV_HEADER + "K1,0101,C19,,117.645,24.505\n"
                 "K2,0103,350602-D05,damaged,117.655,24.505\nK3,0116,external:中国邮政,in_use,117.70,24.505\n")
    result = city_bus.handle(LoadComponents(rows_of(path), str(path), actor="tester"))
    assert (result["added"], result["updated"], result["total"], result["outside_grids"]) == (3, 0, 3, 1)
    assert registry(db) == [("K1", "0101", "C19", "in_use", "U1"), ("K2", "0103", "350602-D05", "damaged", "U2"),
                            ("K3", "0116", "external:中国邮政", "in_use", None)]
    with db.connect() as conn:
        load = conn.execute(sa.text("SELECT loaded_by, mode, added, source FROM component_loads")).one()
    assert tuple(load) == ("tester", "merge", 3, str(path))


def test_merge_updates_by_id_and_replace_keeps_only_the_file(city_bus: MessageBus, db: Engine,
                                                             tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", CSV_HEADER + "K1,0101,C19,,117.645,24.505\nK2,0109,C08,,117.646,24.505\n")
    city_bus.handle(LoadComponents(rows_of(first), "a.csv"))
    second = write(tmp_path, "b.csv", CSV_HEADER + "K2,0109,C08,removed,117.646,24.505\nK4,0109,C08,,117.647,24.505\n")
    merged = city_bus.handle(LoadComponents(rows_of(second), "b.csv"))
    assert (merged["added"], merged["updated"], merged["removed"], merged["total"]) == (1, 1, 0, 3)
    assert [(r[0], r[3]) for r in registry(db)] == [("K1", "in_use"), ("K2", "removed"), ("K4", "in_use")]
    replaced = city_bus.handle(LoadComponents(rows_of(second), "b.csv", replace=True))
    assert (replaced["added"], replaced["updated"], replaced["removed"], replaced["total"]) == (0, 2, 1, 2)
    assert [r[0] for r in registry(db)] == ["K2", "K4"]


def test_bad_rows_are_named_by_line_and_nothing_is_written(city_bus: MessageBus, db: Engine, tmp_path: Path) -> None:
    good = write(tmp_path, "good.csv", CSV_HEADER + "K1,0101,C19,,117.645,24.505\n")
    city_bus.handle(LoadComponents(rows_of(good), "good.csv"))
    bad = write(tmp_path, "bad.csv", CSV_HEADER + "K5,0101,C19,,117.645,24.505\n"  # line 2 is fine
                "K6,9999,C19,,117.645,24.505\n"          # line 3: no such class
                "K7,0601,C19,,117.645,24.505\n"          # line 4: an event
                "K8,0101,水务公司,,117.645,24.505\n"      # line 5: unknown owner
                "K5,0101,C19,,117.645,24.505\n"          # line 6: K5 twice
                "K9,0101,C19,broken,117.645,24.505\n"    # line 7: no such state
                "K10,0101,C19,,500000,2700000\n")        # line 8: projected without --crs
    with pytest.raises(InvalidCommand) as refused:
        city_bus.handle(LoadComponents(rows_of(bad), "bad.csv", replace=True))
    message = refused.value.message
    assert message.startswith("6 refused, nothing loaded")
    for line, words in ((3, "unknown component class '9999'"), (4, "class 0601 is an event"),
                        (5, "unknown owner '水务公司'"), (6, "id K5 is also at bad.csv line 2"),
                        (7, "state 'broken'"), (8, "(500000.0, 2700000.0) is not longitude/latitude")):
        assert f"bad.csv line {line}: {words}" in message, (line, message)
    assert "--crs EPSG" in message
    assert "line 2:" not in message
    assert [r[0] for r in registry(db)] == ["K1"]  # the replace never happened


def test_file_errors_name_the_column_and_the_feature(tmp_path: Path) -> None:
    with pytest.raises(ComponentFileError, match=r"no column '编号' \(--id-field\)"):
        read_components(write(tmp_path, "x.csv", "id,class,owner,lon,lat\n"), FIELDS)
    with pytest.raises(ComponentFileError, match=r"x.csv line 3: lat is not a number \(column 'lat': 'north'\)"):
        read_components(write(tmp_path, "x.csv", "id,class,owner,lon,lat\nA,0101,C19,117.6,24.5\n"
                                                  "B,0101,C19,117.6,north\n"))
    polygon = {"type": "FeatureCollection", "features": [square("Z", 117.6, 24.5, 0.1, id="Z", owner="C19")]}
    with pytest.raises(ComponentFileError, match=r"y\.geojson feature 1: a component is a Point"):
        read_components(write(tmp_path, "y.geojson", json.dumps(polygon)))


def test_projected_files_are_reprojected(tmp_path: Path) -> None:
    point = {"type": "Feature", "properties": {"id": "P1", "class": "0101", "owner": "C19"},
             "geometry": {"type": "Point", "coordinates": [565_850.0, 2_710_847.0]}}
    geojson = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32650"}},
               "features": [point]}
    (from_geojson,) = read_components(write(tmp_path, "p.geojson", json.dumps(geojson)))
    (from_csv,) = read_components(write(tmp_path, "p.csv", "id,class,owner,lon,lat\nP1,0101,C19,565850,2710847\n"),
                                  crs="EPSG:32650")
    for row in (from_geojson, from_csv):
        assert (round(row["lon"], 4), round(row["lat"], 4)) == (117.65, 24.51), row


def test_the_locator_finds_the_nearest_in_service_component(city_bus: MessageBus, tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", CSV_HEADER + "A,0101,C19,,117.6450,24.505\nB,0101,C20,,117.6452,24.505\n"
                 "C,0101,C21,removed,117.64505,24.505\n")
    city_bus.handle(LoadComponents(rows_of(path), "n.csv"))
    where = city_bus.deps.script_helpers["locate"](117.6451, 24.505, "0101")
    assert where["unit_grid"] == "U1" and where["component"]["id"] == "A"
    assert where["component"]["department"] == "C19" and 9 < where["component"]["distance_m"] < 12
    assert city_bus.deps.script_helpers["locate"](117.6451, 24.505, "0102")["component"] is None


def test_the_command_line_loads_a_file(db_url_engine: tuple[str, Engine], city_bus: MessageBus,
                                       tmp_path: Path) -> None:
    url, engine = db_url_engine
    path = write(tmp_path, "cli.csv", CSV_HEADER + "K1,0101,C19,,117.645,24.505\n")
    args = ["--id-field", "编号", "--class-field", "类别", "--owner-field", "权属", "--state-field", "状态",
            "--lon-field", "经度", "--lat-field", "纬度"]
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "components", "load", str(path), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 1
    bad = write(tmp_path, "bad.csv", CSV_HEADER + "K2,0101,nobody,,117.645,24.505\n")
    refused = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "components", "load", str(bad),
                              *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 1 and "bad.csv line 2: unknown owner 'nobody'" in refused.stderr
    assert [r[0] for r in registry(engine)] == ["K1"]
    shown = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "components", "show"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, check=False)
    summary = json.loads(shown.stdout)
    assert summary["components"] == 1 and summary["by_class_and_state"] == {"0101/in_use": 1}
    assert [(load["source"], load["added"]) for load in summary["loads"]] == [(str(path), 1)]


def test_hostile_rows_are_refused_by_line(city_bus: MessageBus, db: Engine, tmp_path: Path) -> None:
    with db.begin() as conn:  # C05 as DisableDepartment leaves it (停用)
        conn.execute(sa.text("INSERT INTO disabled_entries (kind, key, disabled_at, disabled_by)"
                             " VALUES ('department', 'C05', '2026-01-01 00:00:00', 'admin')"))
    bad = write(tmp_path, "long.csv", CSV_HEADER + f"{'K' * 101},0101,C19,,117.645,24.505\n"
                f"K2,0101,external:{'水' * 200},,117.645,24.505\n" "K3,0101,C05,,117.645,24.505\n")
    with pytest.raises(InvalidCommand) as refused:
        city_bus.handle(LoadComponents(rows_of(bad), "long.csv"))
    message = refused.value.message
    assert "long.csv line 2: id is 101 characters long (at most 100)" in message
    assert "long.csv line 3: owner is 209 characters long (at most 200)" in message
    assert "long.csv line 4: owner 'C05' is a disabled department (停用)" in message
    assert registry(db) == []


def test_a_field_over_the_csv_limit_is_a_file_error_naming_the_line(tmp_path: Path) -> None:
    big = write(tmp_path, "big.csv", CSV_HEADER + "K1,0101,C19,,117.645,24.505\n"
                f'K2,0101,C19,"{"a" * 200_000}",117.645,24.505\n')
    with pytest.raises(ComponentFileError, match=r"big\.csv line 3: cannot be read as CSV \(field larger than"):
        read_components(big, FIELDS)
