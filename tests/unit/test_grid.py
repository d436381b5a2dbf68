"""Location lookup over unit grids, and the seeded demo city's geography."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box, mapping, shape

from city.grids.index import GridCell, GridHit, GridIndex, cells_from_features
from demo.city_grids import area_km2, generate

CITY = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou"


def _index() -> GridIndex:
    return GridIndex([GridCell("U1", "R1", "D1", box(0, 0, 1, 1)), GridCell("U2", "R1", "D1", box(1, 0, 2, 1)),
                      GridCell("U3", "R2", "D2", box(0, 1, 2, 2))])


def test_points_are_located_in_their_grid_and_outside_points_are_flagged() -> None:
    index = _index()
    assert index.locate(0.5, 0.5) == GridHit("U1", "R1", "D1")
    assert index.locate(1.5, 1.5) == GridHit("U3", "R2", "D2")
    assert index.locate(5, 5) is None
    assert index.locate_many([(1.5, 0.5), (-1, 0), (0.2, 1.9)]) == [
        GridHit("U2", "R1", "D1"), None, GridHit("U3", "R2", "D2")]


def test_a_point_on_a_shared_border_gets_exactly_one_grid() -> None:
    hit = _index().locate(1.0, 0.5)
    assert hit is not None and hit.unit_grid in {"U1", "U2"}


def test_invalid_geometry_is_refused_with_the_grid_code() -> None:
    bow_tie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(ValueError, match="invalid unit grid geometry: BAD"):
        GridIndex([GridCell("BAD", "R", "D", bow_tie)])
    with pytest.raises(ValueError, match="feature 1: missing resp_grid"):
        cells_from_features([{"properties": {"code": "U", "district": "D"}, "geometry": mapping(box(0, 0, 1, 1))}])


def test_the_demo_city_is_reproducible_nested_and_the_right_size() -> None:
    stored = {name: json.loads((CITY / f"{name}.geojson").read_text("utf-8"))["features"]
              for name in ("districts", "resp_grids", "unit_grids")}
    assert {name: len(features) for name, features in stored.items()} == {
        "districts": 3, "resp_grids": 45, "unit_grids": 4226}
    regenerated = json.loads(json.dumps(generate()["unit_grids"][:50]))
    assert regenerated == stored["unit_grids"][:50]  # the files come from the seed
    city_km2 = sum(area_km2(shape(f["geometry"])) for f in stored["districts"])
    assert 84 < city_km2 < 86
    resp = {f["properties"]["code"]: shape(f["geometry"]) for f in stored["resp_grids"]}
    for feature in stored["unit_grids"][::50]:
        unit = shape(feature["geometry"])
        assert unit.difference(resp[feature["properties"]["resp_grid"]]).area < unit.area * 0.001
        assert feature["properties"]["code"].startswith(feature["properties"]["resp_grid"])


def test_the_demo_city_index_locates_its_own_grid_centres() -> None:
    features = json.loads((CITY / "unit_grids.geojson").read_text("utf-8"))["features"]
    index = GridIndex(cells_from_features(features))
    sample = features[::97]
    points = [shape(f["geometry"]).representative_point() for f in sample]
    hits = index.locate_many([(p.x, p.y) for p in points])
    assert [h.unit_grid if h else None for h in hits] == [f["properties"]["code"] for f in sample]
    assert index.locate(117.0, 24.0) is None  # far outside the city
