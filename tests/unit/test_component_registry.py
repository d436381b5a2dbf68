"""The component registry's geometry: lookup cells, distances and the nearest in-service component of a class."""

from __future__ import annotations

import pytest

from city.routing.registry import Component, cell_of, cells_around, distance_m, nearest, search_metres

LON, LAT = 117.65, 24.51
METRE_LON = 1 / 101_200  # a metre east at 24.5°N, in degrees (about)


def at(metres_east: float, **fields: str) -> Component:
    base = {"id": "K1", "subtype": "0101", "owner": "C19", "state": "in_use"}
    base.update(fields)
    return Component(base["id"], base["subtype"], LON + metres_east * METRE_LON, LAT, base["owner"], base["state"])


def test_the_nearest_of_the_class_within_the_distance_wins() -> None:
    found = nearest([at(40, id="FAR"), at(10, id="NEAR"), at(5, id="OTHER", subtype="0102")], "0101", LON, LAT, 50)
    assert found is not None
    component, metres = found
    assert component.id == "NEAR" and metres == pytest.approx(10, abs=0.2)


def test_nothing_beyond_the_distance_or_of_another_class() -> None:
    assert nearest([at(60), at(1, subtype="0102")], "0101", LON, LAT, 50) is None


def test_a_removed_component_is_not_there_but_a_damaged_one_is() -> None:
    found = nearest([at(2, id="GONE", state="removed"), at(20, id="BROKEN", state="damaged")], "0101", LON, LAT, 50)
    assert found is not None and found[0].id == "BROKEN"


def test_equal_distances_choose_the_smaller_id_whatever_the_order() -> None:
    pair = [at(10, id="B"), at(-10, id="A")]
    assert {nearest(order, "0101", LON, LAT, 50)[0].id for order in (pair, pair[::-1])} == {"A"}  # type: ignore[index]


def test_the_cells_around_a_point_cover_the_search_circle() -> None:
    [(x0, x1, y0, y1)] = cells_around(LON, LAT, 50)
    for east, north in ((49, 0), (-49, 0), (0, 49), (0, -49)):
        x, y = cell_of(LON + east * METRE_LON, LAT + north / 111_195)
        assert x0 <= x <= x1 and y0 <= y <= y1
    assert x1 - x0 <= 2 and y1 - y0 <= 2  # 50 m reads at most 3×3 cells of ~100 m


def test_the_cells_around_a_point_wrap_at_the_antimeridian() -> None:
    boxes = cells_around(179.9998, -17.0, 50)  # Fiji: the circle reaches past +180 into -180
    beyond = cell_of(-179.9999, -17.0)  # a component 30 m east of the point, on the other side of ±180
    assert len(boxes) == 2 and any(x0 <= beyond[0] <= x1 and y0 <= beyond[1] <= y1 for x0, x1, y0, y1 in boxes)
    assert distance_m(179.9998, -17.0, -179.9999, -17.0) < 50
    west = cells_around(-179.9998, -17.0, 50)
    assert any(x0 <= cell_of(179.9999, -17.0)[0] <= x1 for x0, x1, _, _ in west)


def test_haversine_distance() -> None:
    assert distance_m(LON, LAT, LON, LAT + 0.001) == pytest.approx(111.2, abs=0.1)


def test_search_distance_setting() -> None:
    assert search_metres({}) == 50
    assert search_metres({"GRIDCASE_COMPONENT_SEARCH_M": "80"}) == 80
    for bad in ("fifty", "0", "-3", "9000"):
        with pytest.raises(ValueError, match="GRIDCASE_COMPONENT_SEARCH_M"):
            search_metres({"GRIDCASE_COMPONENT_SEARCH_M": bad})
