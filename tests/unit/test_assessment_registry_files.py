"""The assessment registry's files read and checked on their own (考评登记文件): the demo files read cleanly, and
every kind of refusal is named ``"<file>: row <N>: <field>"`` (a checklist's ``"checklists.json: <scheme>.items.<N>.
<field>"``); a compound's point lies inside it; the references are checked against the load and the stored rows."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, Polygon, shape

from city.assessment.registry_checks import check_references, locate_objects, read_files
from city.assessment.registry_files import MAX_FILE_CHARS, Problems
from city.assessment.registry_objects import MAX_FEATURE_VERTICES, MAX_FILE_VERTICES, inner_point

DEMO = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou" / "assessment"
HEADER = "code,name,contact_name,contact_phone,active\n"
BOX = (117.5, 24.4, 117.8, 24.7)


def demo() -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(DEMO.iterdir())}


def _features() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(demo()["objects.geojson"])["features"]
    return found


def _compound() -> dict[str, Any]:
    return copy.deepcopy(next(f for f in _features() if f["properties"]["kind"] == "compound"))


def _point() -> dict[str, Any]:
    return copy.deepcopy(_features()[0])


def _objects(*features: dict[str, Any]) -> dict[str, str]:
    return {"objects.geojson": json.dumps({"type": "FeatureCollection", "features": list(features)})}


def _problems(files: dict[str, str]) -> dict[str, str]:
    return read_files(files, BOX)[1].fields()


def test_the_demo_files_read_without_a_problem() -> None:
    parsed, problems = read_files(demo(), BOX)
    assert problems.count == 0, problems.lines()
    assert len(parsed.companies) == 25 and len(parsed.objects) > 400
    kinds = {o["kind"] for o in parsed.objects}
    assert kinds == {"community", "institution", "collection_point", "transfer_station", "compound"}
    compound = next(o for o in parsed.objects if o["kind"] == "compound")
    assert compound["company"] and compound["polygon"]["type"] == "Polygon"
    assert compound["min_lon"] <= compound["lon"] <= compound["max_lon"]
    assert shape(compound["polygon"]).contains(Point(compound["lon"], compound["lat"]))
    garbage = parsed.checklists["garbage_sorting"]["items"]
    assert sum(i["points"] for i in garbage) == 100 and all(i["kinds"] for i in garbage)
    assert next(i for i in garbage if i["code"] == "GS05")["kinds"] == ["community", "institution",
                                                                      "collection_point", "transfer_station"]


@pytest.mark.parametrize(("text", "key", "part"), [
    ("code,title\n", "companies.csv: row 1: header", "unknown title"),
    (HEADER + "WY 1,甲,,,1\n", "companies.csv: row 2: code", "not a code"),
    (HEADER + "WY91,,,,1\n", "companies.csv: row 2: name", "missing"),
    (HEADER + "WY91,甲,,12ab,1\n", "companies.csv: row 2: contact_phone", "not a phone"),
    (HEADER + "WY91,甲,,,maybe\n", "companies.csv: row 2: active", "1, 0"),
    (HEADER + "WY91,甲,,,1\nWY91,乙,,,1\n", "companies.csv: row 3: code", "repeats row 2"),
    (HEADER + "WY91,甲,,,1,extra\n", "companies.csv: row 2: columns", "more values"),
])
def test_a_bad_company_row_is_named(text: str, key: str, part: str) -> None:
    problems = _problems({"companies.csv": text})
    assert part in problems[key], problems


def _with(feature: dict[str, Any], **props: Any) -> dict[str, Any]:
    feature["properties"].update(props)
    feature["properties"] = {k: v for k, v in feature["properties"].items() if v is not None}
    return feature


@pytest.mark.parametrize(("feature", "key", "part"), [
    (_with(_point(), scheme="roads"), "scheme", "garbage_sorting or property"),
    (_with(_point(), kind="compound"), "kind", "community"),
    (_with(_compound(), kind="community"), "kind", "compound"),
    (_with(_point(), code="a b"), "code", "not a code"),
    (_with(_point(), name=""), "name", "missing"),
    (_with(_point(), name="名" * 201), "name", "at most 200"),
    (_with(_point(), company="WY01"), "company", "only a compound"),
    (_with(_compound(), company=None), "company", "missing"),
    (_with(_point(), department="C 6"), "department", "not a code"),
    (_with(_point(), active="perhaps"), "active", "true or false"),
    (_with(_compound(), scheme="property"), "geometry", None),  # a valid compound: no problem
])
def test_a_bad_object_property_is_named(feature: dict[str, Any], key: str, part: str | None) -> None:
    problems = _problems(_objects(feature))
    if part is None:
        assert problems == {}
    else:
        assert part in problems[f"objects.geojson: row 1: {key}"], problems


def test_geometry_must_fit_the_kind_and_the_city() -> None:
    compound_as_point = _with(_compound(), **{})
    compound_as_point["geometry"] = {"type": "Point", "coordinates": [117.65, 24.5]}
    point_as_polygon = _point()
    point_as_polygon["geometry"] = _compound()["geometry"]
    far = _point()
    far["geometry"]["coordinates"] = [120.0, 30.0]
    bowtie = _compound()
    bowtie["geometry"] = {"type": "Polygon", "coordinates": [[[117.6, 24.5], [117.601, 24.501], [117.601, 24.5],
                                                              [117.6, 24.501], [117.6, 24.5]]]}
    huge = _compound()
    huge["geometry"] = {"type": "Polygon", "coordinates": [[[117.6, 24.5], [117.7, 24.5], [117.7, 24.6],
                                                            [117.6, 24.5]]]}
    problems = _problems(_objects(compound_as_point, point_as_polygon, far, bowtie, huge))
    assert "Polygon or MultiPolygon" in problems["objects.geojson: row 1: geometry"]
    assert "must be a Point" in problems["objects.geojson: row 2: geometry"]
    assert "outside the city's area" in problems["objects.geojson: row 3: geometry"]
    assert "not a valid polygon" in problems["objects.geojson: row 4: geometry"]
    assert "spans more than" in problems["objects.geojson: row 5: geometry"]


def test_codes_repeat_only_across_schemes() -> None:
    first, again, other = _point(), _point(), _compound()
    other["properties"]["code"] = first["properties"]["code"]
    problems = _problems(_objects(first, again, other))
    assert list(problems) == ["objects.geojson: row 2: code"] and "repeats row 1" in problems[
        "objects.geojson: row 2: code"]


def test_hostile_sizes_are_refused_before_they_are_parsed() -> None:
    assert "at most" in _problems({"companies.csv": "x" * (MAX_FILE_CHARS + 1)})["companies.csv: file"]
    ring = [[117.6 + i * 1e-7, 24.5] for i in range(MAX_FEATURE_VERTICES + 1)] + [[117.6, 24.5]]
    many = _compound()
    many["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    assert "vertices" in _problems(_objects(many))["objects.geojson: row 1: geometry"]
    flood = _compound()
    flood["geometry"] = {"type": "Polygon", "coordinates": [[[1, 1]] * (2 * MAX_FILE_VERTICES + 1)]}
    assert "vertices in all" in _problems(_objects(flood))["objects.geojson: file"]
    deep = {"objects.geojson": "[" * 5000 + "]" * 5000}
    assert "objects.geojson: file" in _problems(deep)
    assert "not JSON" in _problems({"objects.geojson": "{"})["objects.geojson: file"]
    assert "FeatureCollection" in _problems({"objects.geojson": "[]"})["objects.geojson: file"]
    assert "unknown file" in _problems({"roads.csv": ""})["roads.csv: file"]


def _checklist(**changes: Any) -> dict[str, str]:
    document = json.loads(demo()["checklists.json"])
    item = document["garbage_sorting"]["items"][0]
    item.update(changes)
    return {"checklists.json": json.dumps(document)}


@pytest.mark.parametrize(("changes", "field", "part"), [
    ({"points": 0}, "points", "above 0"),
    ({"points": True}, "points", "above 0"),
    ({"photo": "never"}, "photo", "on_fail"),
    ({"kinds": ["compound"]}, "kinds", "community"),
    ({"kinds": []}, "kinds", "once each"),
    ({"label": ""}, "label", "1–200"),
    ({"subtype": 613}, "subtype", "catalogue"),
    ({"deductions": [{"code": "GS01z", "label": "过多", "points": 99}]}, "deductions.1.points", "at most 15"),
    ({"deductions": [{"code": "GS01", "label": "重复", "points": 1}]}, "deductions.1.code", "repeats"),
])
def test_a_bad_checklist_item_is_named(changes: dict[str, Any], field: str, part: str) -> None:
    problems = _problems(_checklist(**changes))
    assert part in problems[f"checklists.json: garbage_sorting.items.1.{field}"], problems


def test_a_checklist_file_as_a_whole() -> None:
    assert "unknown scheme" in _problems({"checklists.json": '{"roads": {}}'})["checklists.json: roads"]
    assert "1–100 items" in _problems({"checklists.json": '{"property": {"name": "x", "items": []}}'})[
        "checklists.json: property.items"]
    document = json.loads(demo()["checklists.json"])
    document["property"]["items"][1]["code"] = "PM01"
    assert "repeats" in _problems({"checklists.json": json.dumps(document)})["checklists.json: property.items.2.code"]
    assert "keyed by scheme" in _problems({"checklists.json": "[]"})["checklists.json: file"]


def test_a_compound_point_lies_inside_even_when_the_centroid_does_not() -> None:
    horseshoe = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    assert not horseshoe.contains(horseshoe.centroid)
    assert horseshoe.contains(Point(*inner_point(horseshoe)))
    square = Polygon([(0, 0), (2, 0), (2, 2), (0, 2)])
    assert inner_point(square) == (1.0, 1.0)


def test_points_are_located_and_references_checked() -> None:
    parsed, problems = read_files(_objects(_point(), _compound()), BOX)

    def locate(lon: float, lat: float) -> dict[str, Any] | None:
        return {"district": "350602", "street": "350602001000", "unit_grid": "3506020010001"} if lon < 117.7 \
            else None

    parsed.objects[1]["lon"] = 117.75  # this one falls outside the (pretend) grids
    locate_objects(parsed.objects, locate, problems)
    assert parsed.objects[0]["district_code"] == "350602" and parsed.objects[0]["grid_code"] == "3506020010001"
    assert "outside the city's grids" in problems.fields()["objects.geojson: row 2: geometry"]
    parsed.objects[0]["department"] = "C99"
    fresh = Problems()
    check_references(parsed, set(), {"C06"}, {"0613"}, fresh)
    assert "no property company" in fresh.fields()["objects.geojson: row 2: company"]
    assert "no department 'C99'" in fresh.fields()["objects.geojson: row 1: department"]
    again = Problems()
    check_references(parsed, {parsed.objects[1]["company"]}, {"C99", "C27"}, set(), again)
    assert again.count == 0
