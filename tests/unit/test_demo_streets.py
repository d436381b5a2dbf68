"""The demo city's streets (demo/city_streets.py): the committed streets.json is what the generator writes, every
responsibility grid lies in exactly one street of its own district, and each of the 19 street offices and towns has
a street."""

from __future__ import annotations

import json

from demo.city_streets import CITY, generate, street_name


def test_streets_json_is_what_the_generator_writes() -> None:
    assert json.loads((CITY / "streets.json").read_text("utf-8")) == generate()


def test_every_grid_has_one_street_of_its_district_and_every_street_office_a_street() -> None:
    streets = generate()["streets"]
    grids = {f["properties"]["code"]: f["properties"]["district"]
             for f in json.loads((CITY / "resp_grids.geojson").read_text("utf-8"))["features"]}
    placed = [(grid, s["district"]) for s in streets for grid in s["resp_grids"]]
    assert sorted(g for g, _ in placed) == sorted(grids) and all(grids[g] == d for g, d in placed)
    departments = json.loads((CITY / "departments.json").read_text("utf-8"))["departments"]
    offices = sorted(d["code"] for d in departments if d["level"] == "street")
    assert len(offices) == 19 and sorted(s["department"] for s in streets) == offices
    assert all(s["resp_grids"] for s in streets)


def test_street_names_drop_the_office_word() -> None:
    names = ("东铺头街道办事处", "芝山镇人民政府", "圆山新城管理处")
    assert [street_name(n) for n in names] == ["东铺头街道", "芝山镇", "圆山新城"]
