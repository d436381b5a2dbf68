"""The analysis queries and their API on SQLite and PostgreSQL, against hand-made case facts in 2019 (no
other case in the module's city is that old): counts per grid for whole months, partial months and
both, every filter, trends by day, week and month, hot spots, a grid's cases, and 422s naming fields."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from analysis_support import SPOT, seeded_grids
from api_support import Api, error_of

from city.analysis import service as analysis


@pytest.fixture
def g(api: Api) -> dict[str, str]:
    """The module city's grids, with the 2019 facts stored once per database (analysis_support)."""
    return seeded_grids(api)


def heat(api: Api, query: str, user: str = "supervisor01") -> dict[str, Any]:
    response = api.get(f"/analysis/heatmap?{query}", user)
    assert response.status_code == 200, response.json
    return dict(response.json)


def named(g: dict[str, str], grids: dict[str, int]) -> dict[str, int]:
    back = {code: name for name, code in g.items()}
    return {back[code]: n for code, n in grids.items()}


@pytest.mark.parametrize(("query", "expected"), [
    ("since=2019-01-01&until=2019-12-31", {"G1": 3, "G2": 2, "G3": 2}),   # whole months only
    ("", {"G1": 3, "G2": 2, "G3": 2}),                                     # all: the facts' grid index
    ("since=2018-01-01&until=2020-12-31", {"G1": 3, "G2": 2, "G3": 2}),   # > 12 months: the same
    ("since=2019-04-01", {"G1": 1, "G2": 1, "G3": 2}),                     # open-ended: the same
    ("subtype=0102", {"G2": 1, "G3": 1}),                                  # all, from the rollup
    ("month=2019-03", {"G1": 2, "G2": 1}),
    ("month=2019-04", {"G1": 1, "G3": 1}),                                # city time: case 7 is May's
    ("since=2019-03-15&until=2019-04-10", {"G1": 2, "G2": 1}),            # two partial months
    ("since=2019-03-15&until=2019-05-31", {"G1": 2, "G2": 2, "G3": 2}),   # a partial month and whole ones
    ("since=2019-01-01&until=2019-12-31&subtype=0601", {"G1": 2, "G2": 1, "G3": 1}),
    ("since=2019-01-01&until=2019-12-31&aspect=A03", {"G1": 2, "G2": 1, "G3": 1}),  # 0601 is in A03
    ("since=2019-01-01&until=2019-12-31&aspect=A13", {"G1": 1}),
    ("since=2019-01-01&until=2019-12-31&aspect=A13&subtype=0601", {}),
    ("since=2019-01-01&until=2019-12-31&channel=hotline", {"G1": 1, "G2": 1, "G3": 1}),
    ("channel=patrol", {"G1": 1, "G2": 1, "G3": 1}),                     # all: the channel rollup, grid order
    ("month=2019-03&channel=patrol", {"G1": 1, "G2": 1}),
    ("since=2019-04-01&channel=patrol", {"G3": 1}),
    ("since=2019-03-15&until=2019-05-31&channel=patrol", {"G1": 1, "G2": 1, "G3": 1}),  # edge days + rollup
    ("since=2019-01-01&until=2019-12-31&department=350602-D02", {"G1": 2, "G2": 1, "G3": 1}),
    ("since=2019-01-01&until=2019-12-31&source=live", {"G3": 1}),
    ("since=2019-03-01&until=2019-04-30&source=history", {"G1": 3, "G2": 1}),
])
def test_heat_map_counts_per_grid(api: Api, g: dict[str, str], query: str, expected: dict[str, int]) -> None:
    found = heat(api, query)
    assert named(g, found["grids"]) == expected
    assert found["total"] == sum(expected.values()) and found["max"] == max(expected.values(), default=0)


def test_the_service_reads_the_same_as_the_api(api: Api, g: dict[str, str]) -> None:
    flt = analysis.resolve(api.deps, aspect="A03", since=date(2019, 3, 15), until=date(2019, 5, 31))
    assert named(g, analysis.heat_map(api.deps, flt)["grids"]) == {"G1": 1, "G2": 1, "G3": 1}
    sample = analysis.points(api.deps, flt, limit=2)
    assert len(sample["points"]) == 2 and sample["sampled"] is True
    assert analysis.points(api.deps, flt, limit=10)["points"][0] == [24.55, 117.76]  # May first


def test_trends_by_month_week_and_day(api: Api, g: dict[str, str]) -> None:
    month = api.get("/analysis/trends?by=month&since=2019-03-01&until=2019-05-31", "dispatcher01").json
    assert month["periods"] == ["2019-03", "2019-04", "2019-05"] and month["total"] == [3, 2, 2]
    assert month["series"] == [{"subtype": "0601", "values": [2, 1, 1]}, {"subtype": "0102", "values": [1, 0, 1]},
                               {"subtype": "0101", "values": [0, 1, 0]}]
    week = api.get("/analysis/trends?by=week&since=2019-03-04&until=2019-03-24", "auditor01").json
    assert week["periods"] == ["2019-03-04", "2019-03-11", "2019-03-18"] and week["total"] == [1, 0, 1]
    day = api.get("/analysis/trends?since=2019-03-30&until=2019-04-02", "shiftlead01").json
    assert day["by"] == "day" and day["total"] == [0, 1, 1, 0]
    assert day["periods"] == ["2019-03-30", "2019-03-31", "2019-04-01", "2019-04-02"]
    only = api.get("/analysis/trends?by=month&month=2019-04&channel=hotline", "admin").json
    assert only["periods"] == ["2019-04"] and only["series"] == [{"subtype": "0601", "values": [1]}]


def test_a_grids_cases_newest_first(api: Api, g: dict[str, str]) -> None:
    found = api.get(f"/analysis/grids/{g['G1']}/cases?since=2019-01-01&until=2019-12-31&per_page=2",
                    "supervisor01").json
    assert found["total"] == 3 and found["pages"] == 2
    assert [c["case_no"] for c in found["cases"]] == ["20190401900004", "20190320900002"]
    assert found["cases"][0]["reworks"] == 2 and found["cases"][0]["reported_at"].startswith("2019-04-01T04:00")
    second = api.get(f"/analysis/grids/{g['G1']}/cases?since=2019-01-01&until=2019-12-31&per_page=2&page=2",
                     "supervisor01").json
    assert [c["case_no"] for c in second["cases"]] == ["20190305900001"]


def test_hotspots(api: Api, g: dict[str, str]) -> None:
    found = api.get("/analysis/hotspots?since=2019-01-01&until=2019-12-31&limit=3", "supervisor01").json
    assert found["grids"][0] == {"unit_grid": g["G1"], "subtype": "0601", "cases": 2}
    assert len(found["grids"]) == 3 and all(row["cases"] == 1 for row in found["grids"][1:])
    assert found["streets"][0]["resp_grid"] == g["S1"] and found["streets"][0]["subtype"] == "0601"
    assert found["streets"][0]["cases"] == 3 and found["streets"][0]["name"]
    assert len(found["recurring"]) == 1
    spot = found["recurring"][0]
    assert (spot["cases"], spot["subtypes"], spot["unit_grid"]) == (3, 2, g["G1"])
    assert abs(spot["lon"] - SPOT[0]) < 0.0003 and abs(spot["lat"] - SPOT[1]) < 0.0003
    assert [(c["case_no"], c["reworks"], c["returns"]) for c in found["repeated"]] == [
        ("20190510900006", 1, 1), ("20190401900004", 2, 0)]
    march = api.get("/analysis/hotspots?month=2019-03", "supervisor01").json
    assert march["recurring"] == [] and march["repeated"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("subtype=9999", "subtype"), ("aspect=A99", "aspect"), ("month=2019-13", "month"), ("since=yesterday", "since"),
    ("since=2019-05-01&until=2019-04-01", "until"), ("month=2019-04&since=2019-04-02", "month"),
    ("channel=telepathy", "channel"), ("source=rumour", "source"), ("colour=red", "colour"),
    ("department=a%20b", "department"),
])
def test_bad_filters_are_422_naming_the_field(api: Api, query: str, field: str) -> None:
    error = error_of(api.get(f"/analysis/heatmap?{query}", "supervisor01"), 422)
    assert field in error["fields"], error


def test_other_parameters_are_checked(api: Api) -> None:
    assert "by" in error_of(api.get("/analysis/trends?by=year", "supervisor01"), 422)["fields"]
    assert "limit" in error_of(api.get("/analysis/points?limit=0", "supervisor01"), 422)["fields"]
    assert "page" in error_of(api.get("/analysis/grids/x/cases?page=0", "supervisor01"), 422)["fields"]


@pytest.mark.parametrize("user", ["seat01", "collector001", "dept_350602s07_01", "designer01"])
def test_only_analysts_may_read(api: Api, user: str) -> None:
    for path in ("/analysis/heatmap", "/analysis/trends", "/analysis/grid-shapes", "/analysis/hotspots"):
        error_of(api.get(path, user), 403)
    error_of(api.client.get("/api/v1/analysis/heatmap"), 401)


def test_grid_shapes_are_lean_and_cached(api: Api) -> None:
    response = api.get("/analysis/grid-shapes", "auditor01")
    assert response.status_code == 200 and len(response.json["features"]) == 4226
    feature = response.json["features"][0]
    assert set(feature["properties"]) == {"code", "resp_grid"}
    assert all(len(str(x).split(".")[-1]) <= 5 for x in feature["geometry"]["coordinates"][0][0])
    assert response.headers["ETag"] and "max-age" in response.headers["Cache-Control"]
    again = api.client.get("/api/v1/analysis/grid-shapes", headers={**api.headers("auditor01"),
                                                                     "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_openapi_lists_the_analysis_calls(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    assert {"/analysis/heatmap", "/analysis/trends", "/analysis/hotspots", "/analysis/points",
            "/analysis/grids/{unit_grid}/cases", "/analysis/grid-shapes"} <= set(paths)
