"""Property companies' credit (物业信用) without a database: the monthly points and chart, and which compound holds
a point (polygons with holes, multipolygons, the boundary, nesting). The score and grade are
``city.assessment.standings``', tested with it (tests/unit/test_assessment_standings.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from city.assessment.compounds import holds, parse_polygon, smallest_holding
from city.assessment.credit_views import month_starts, points_by_month
from web.pages.property_companies import month_bars

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]}
HOLED = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                                            [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]}
TWO = {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
                                               [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]]}


def test_twelve_months_of_points_in_the_citys_months() -> None:
    now = datetime(2027, 2, 10, 3, 0, tzinfo=UTC)
    starts = month_starts(now)
    assert (starts[0], starts[-1], len(starts)) == (date(2026, 3, 1), date(2027, 2, 1), 12)
    events = [(datetime(2027, 1, 31, 17, 0, tzinfo=UTC), 2.0),  # 1 February 01:00 in Zhangzhou
              (datetime(2027, 1, 15, tzinfo=UTC), 0.5), (datetime(2027, 1, 20, tzinfo=UTC), -1.0),
              (datetime(2025, 1, 1, tzinfo=UTC), 9.0)]  # before the chart: left out
    months = {m["month"]: m["points"] for m in points_by_month(events, starts)}
    assert (months["2027-02"], months["2027-01"], months["2026-03"], len(months)) == (2.0, -0.5, 0.0, 12)


def test_the_chart_draws_lost_points_up_and_regained_down_from_one_zero_line() -> None:
    chart = month_bars([{"month": "2027-01", "points": 4.0}, {"month": "2027-02", "points": -1.0},
                        {"month": "2027-03", "points": 0.0}])
    up, down, flat = chart["bars"]
    assert up["y"] + up["height"] == pytest.approx(chart["zero"]) and down["y"] == chart["zero"]
    assert up["height"] == pytest.approx(4 * down["height"]) and flat["height"] == 0
    assert up["x"] < down["x"] < flat["x"] < chart["width"]


def test_a_point_is_in_a_polygon_its_boundary_included_its_holes_not() -> None:
    square, holed, two = parse_polygon(json.dumps(SQUARE)), parse_polygon(HOLED), parse_polygon(TWO)
    assert square is not None and holed is not None and two is not None
    assert holds(square, 2, 2) and holds(square, 4, 2) and not holds(square, 4.01, 2)
    assert holds(holed, 0.5, 0.5) and not holds(holed, 2, 2)
    assert holds(two, 5.5, 5.5) and holds(two, 0.5, 0.5) and not holds(two, 3, 3)


@pytest.mark.parametrize("text", ['{"type": "Point", "coordinates": [1, 2]}', "not json", '{"type": "Polygon"}',
                                  '{"type": "Polygon", "coordinates": []}', "[]"])
def test_what_is_no_polygon_is_none(text: str) -> None:
    assert parse_polygon(text) is None


def test_the_smallest_compound_holding_the_point_wins() -> None:
    outer = parse_polygon(SQUARE)
    inner = parse_polygon({"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]})
    assert outer is not None and inner is not None
    assert smallest_holding([("outer", outer), ("inner", inner)], 1.5, 1.5) == "inner"
    assert smallest_holding([("inner", inner), ("outer", outer)], 3, 3) == "outer"
    assert smallest_holding([("outer", outer), ("twin", outer)], 3, 3) == "outer"
    assert smallest_holding([("outer", outer)], 9, 9) is None
