"""The transport views' pure parts: thinning a track evenly and buffering a permit's corridor into the polygon the
map draws."""

from __future__ import annotations

from itertools import pairwise

from shapely.geometry import Point, shape

from city.transport.geometry import LocalProjection
from city.transport.views import corridor_polygon, thin


def test_thinning_keeps_the_ends_and_spreads_the_rest_evenly() -> None:
    assert thin(0, 20_000) == [] and thin(3, 20_000) == [0, 1, 2]
    kept = thin(20_500, 20_000)
    assert len(kept) == 20_000 and kept[0] == 0 and kept[-1] == 20_499
    assert len(set(kept)) == 20_000 and kept == sorted(kept)
    gaps = {b - a for a, b in pairwise(kept)}
    assert gaps == {1, 2}  # evenly: never two dropped in a row
    assert thin(10, 2) == [0, 9] and thin(10, 1) == [9] and thin(10, 0) == []


def test_a_corridor_is_the_line_buffered_by_its_width_in_metres() -> None:
    line = {"type": "LineString", "coordinates": [[117.60, 24.50], [117.70, 24.50]]}
    area = shape(corridor_polygon(line, 100.0))
    projection = LocalProjection(117.60, 24.50)
    inside, outside = projection.to_lonlat(5_000.0, 95.0), projection.to_lonlat(5_000.0, 105.0)
    assert area.contains(Point(*inside)) and not area.contains(Point(*outside))
    assert corridor_polygon({"type": "Point", "coordinates": [117.6, 24.5]}, 100.0) is None
    assert corridor_polygon({"type": "LineString", "coordinates": []}, 100.0) is None
    assert corridor_polygon({}, 100.0) is None
