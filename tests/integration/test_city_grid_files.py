"""Grid files beyond GeoJSON: Shapefiles in a projected coordinate system reprojected to longitude/latitude,
GeoPackages, files without a coordinate system refused, and responsibility grids dissolved from unit grids."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy
import pyogrio.raw
import pyproj
import pytest
import shapely
import sqlalchemy as sa
from shapely.geometry import Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry

from city.grids.readers import GridFileError, read_grid_file

ROOT = Path(__file__).resolve().parents[2]
UTM_50N = "EPSG:32650"  # Zhangzhou (漳州), 117.6E 24.5N
# four unit grids of 0.01° in a 2×2 block; the west pair in responsibility grid R1, the east pair in R2
UNITS = {f"U{col}{row}": box(117.6 + 0.01 * col, 24.5 + 0.01 * row, 117.61 + 0.01 * col, 24.51 + 0.01 * row)
         for col in range(2) for row in range(2)}
RESP_OF = {code: f"R{int(code[1]) + 1}" for code in UNITS}
STREET_OF = {"R1": "芗城", "R2": "龙文"}


def _write(path: Path, codes: list[str], shapes: list[Polygon], crs: str | None,
           **columns: list[str]) -> None:
    names = ["GRID_ID", *columns]
    data = [numpy.array(codes, dtype=object), *(numpy.array(v, dtype=object) for v in columns.values())]
    pyogrio.raw.write(path, numpy.array(shapely.to_wkb(shapes), dtype=object), data, names, crs=crs,
                      geometry_type="Polygon", encoding="UTF-8" if path.suffix == ".shp" else None)


def _to_utm(shapes: list[Polygon]) -> list[Polygon]:
    forward = pyproj.Transformer.from_crs(4326, UTM_50N, always_xy=True)
    return [shapely.transform(s, lambda xy: numpy.column_stack(forward.transform(xy[:, 0], xy[:, 1])))
            for s in shapes]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "city", "load", *args],
                          capture_output=True, text=True, cwd=ROOT)


def _stored(db: sa.Engine, table: str) -> dict[str, BaseGeometry]:
    with db.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT code, geometry FROM {table}")).all()
    return {row.code: shape(json.loads(row.geometry)) for row in rows}


def test_a_projected_shapefile_lands_at_its_longitude_latitude(db_url_engine: tuple[str, sa.Engine],
                                                                tmp_path: Path) -> None:
    url, db = db_url_engine
    units, resps = tmp_path / "units.shp", tmp_path / "resp.shp"
    _write(units, list(UNITS), _to_utm(list(UNITS.values())), UTM_50N)
    resp_shapes = [box(117.6, 24.5, 117.61, 24.52), box(117.61, 24.5, 117.62, 24.52)]
    _write(resps, ["R1", "R2"], _to_utm(resp_shapes), UTM_50N, STREET=["芗城", "龙文"])
    assert units.with_suffix(".prj").exists() and _to_utm([UNITS["U00"]])[0].bounds[0] > 100_000  # metres
    loaded = _cli(url, "--unit-grids", str(units), "--resp-grids", str(resps), "--code-field", "GRID_ID",
                  "--district-field", "STREET")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == {"districts": 2, "resp_grids": 2, "unit_grids": 4}
    stored = _stored(db, "unit_grids")
    assert stored.keys() == UNITS.keys()
    for code, expected in UNITS.items():
        polygon = stored[code]
        assert isinstance(polygon, Polygon)
        got = numpy.array(sorted(set(polygon.exterior.coords)))
        want = numpy.array(sorted(set(expected.exterior.coords)))
        assert numpy.abs(got - want).max() < 1e-6, code
    with db.connect() as conn:
        placed: dict[str, str] = dict(conn.execute(sa.text("SELECT code, resp_grid_code FROM unit_grids")).all())
    assert placed == RESP_OF
    assert set(_stored(db, "districts")) == {"芗城", "龙文"}  # the .dbf's UTF-8 text (its .cpg) read back


def test_a_geopackage_loads_and_dissolves_into_responsibility_grids_and_districts(
        db_url_engine: tuple[str, sa.Engine], tmp_path: Path) -> None:
    url, db = db_url_engine
    units = tmp_path / "city.gpkg"
    _write(units, list(UNITS), list(UNITS.values()), "EPSG:4326", RESP=[RESP_OF[c] for c in UNITS],
           STREET=[STREET_OF[RESP_OF[c]] for c in UNITS])
    loaded = _cli(url, "--unit-grids", str(units), "--code-field", "GRID_ID", "--district-field", "STREET",
                  "--dissolve-resp-from-units", "RESP")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == {"districts": 2, "resp_grids": 2, "unit_grids": 4}
    resp = _stored(db, "resp_grids")
    for code in ("R1", "R2"):
        members = shapely.union_all([g for c, g in UNITS.items() if RESP_OF[c] == code])
        assert resp[code].symmetric_difference(members).area < 1e-12 and resp[code].area > 0
    assert set(_stored(db, "districts")) == {"芗城", "龙文"}
    with db.connect() as conn:
        placed = sorted(conn.execute(sa.text("SELECT code, resp_grid_code, district_code FROM unit_grids")).all())
    assert [tuple(row) for row in placed] == [(c, RESP_OF[c], STREET_OF[RESP_OF[c]]) for c in sorted(UNITS)]


def test_a_projected_file_without_a_coordinate_system_is_refused_with_the_reason(
        db_url_engine: tuple[str, sa.Engine], tmp_path: Path) -> None:
    url, db = db_url_engine
    units = tmp_path / "bare.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        _write(units, list(UNITS), _to_utm(list(UNITS.values())), None)
    assert not units.with_suffix(".prj").exists()
    refused = _cli(url, "--unit-grids", str(units), "--dissolve-resp-from-units", "GRID_ID")
    assert refused.returncode != 0
    assert (f"{units}: no coordinate system and the coordinates are not longitude/latitude (x " in refused.stderr
            and "give the file its .prj / CRS, or reproject it to EPSG:4326" in refused.stderr), refused.stderr
    assert _stored(db, "unit_grids") == {}


def test_dissolving_refuses_a_unit_without_its_parent_and_both_resp_options(
        db_url_engine: tuple[str, sa.Engine], tmp_path: Path) -> None:
    url, db = db_url_engine
    units = tmp_path / "units.gpkg"
    _write(units, list(UNITS), list(UNITS.values()), "EPSG:4326", RESP=["R1", "R1", "", "R2"])
    refused = _cli(url, "--unit-grids", str(units), "--code-field", "GRID_ID", "--dissolve-resp-from-units", "RESP")
    assert refused.returncode != 0
    assert f"{units}: feature 3 has no 'RESP' property (--dissolve-resp-from-units)" in refused.stderr
    both = _cli(url, "--unit-grids", str(units), "--resp-grids", str(units), "--dissolve-resp-from-units", "RESP")
    assert both.returncode != 0 and "either --resp-grids or --dissolve-resp-from-units" in both.stderr
    assert _stored(db, "unit_grids") == {}


def test_the_parent_field_places_unit_grids_where_the_city_says_not_by_area(
        db_url_engine: tuple[str, sa.Engine], tmp_path: Path) -> None:
    url, db = db_url_engine
    units, resps = tmp_path / "units.gpkg", tmp_path / "resp.gpkg"
    # the city assigns U01 to R2 although it lies in R1's area: its own assignment wins over the geometry
    own = {**RESP_OF, "U01": "R2"}
    _write(units, list(UNITS), list(UNITS.values()), "EPSG:4326", RESP=[own[c] for c in UNITS])
    _write(resps, ["R1", "R2"], [box(117.6, 24.5, 117.61, 24.52), box(117.61, 24.5, 117.62, 24.52)], "EPSG:4326",
           STREET=["芗城", "龙文"])
    args = ("--unit-grids", str(units), "--resp-grids", str(resps), "--code-field", "GRID_ID", "--district-field",
            "STREET")
    loaded = _cli(url, *args, "--parent-field", "RESP")
    assert loaded.returncode == 0, loaded.stderr
    with db.connect() as conn:
        placed: dict[str, str] = dict(conn.execute(sa.text("SELECT code, resp_grid_code FROM unit_grids")).all())
    assert placed == own
    by_area = _cli(url, *args)  # without the flag: by area, as before
    assert by_area.returncode == 0, by_area.stderr
    with db.connect() as conn:
        placed = dict(conn.execute(sa.text("SELECT code, resp_grid_code FROM unit_grids")).all())
    assert placed == RESP_OF
    _write(units, list(UNITS), list(UNITS.values()), "EPSG:4326", RESP=["R1", "R9", "R2", "R2"])
    refused = _cli(url, *args, "--parent-field", "RESP")
    assert refused.returncode != 0
    assert "unit grid U01: its parent 'R9' is no responsibility grid" in refused.stderr, refused.stderr
    assert placed == dict(_placed(db))  # the refused load left the grids as they were


def _placed(db: sa.Engine) -> list[tuple[str, str]]:
    with db.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text("SELECT code, resp_grid_code FROM unit_grids")).all()]


def test_unreadable_and_unknown_files_are_named_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.shp"
    broken.write_bytes(b"not a shapefile")
    with pytest.raises(GridFileError, match=r"broken\.shp: cannot be read as a Shapefile or GeoPackage .*\.dbf"):
        read_grid_file(broken)
    kml = tmp_path / "grids.kml"
    kml.write_text("<kml/>", "utf-8")
    with pytest.raises(GridFileError, match=r"grids\.kml: not GeoJSON, a Shapefile \(\.shp\) or a GeoPackage"):
        read_grid_file(kml)
    legacy = tmp_path / "legacy.geojson"  # a pre-RFC 7946 GeoJSON naming its projected coordinate system
    utm = _to_utm([UNITS["U00"]])[0]
    legacy.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::32650"}}, "features": [{"type": "Feature", "properties": {"code": "U00"},
                                                               "geometry": mapping(utm)}]}), "utf-8")
    (feature,) = read_grid_file(legacy)
    assert shape(feature["geometry"]).symmetric_difference(UNITS["U00"]).area < 1e-12
    odd = tmp_path / "odd.geojson"  # a crs member of another shape is no coordinate system, never a crash
    for crs in ({"properties": "EPSG:32650"}, {"properties": {"name": 5}}, "EPSG:32650"):
        odd.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": []}), "utf-8")
        assert read_grid_file(odd) == []
