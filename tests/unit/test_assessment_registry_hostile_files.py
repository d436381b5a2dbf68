"""Hostile registry files (考评登记文件) refused with a problem naming file, row and field rather than a 500 or a
stored oddity: malformed CSV (unterminated quote, a field beyond the csv module's limit), CR-only newlines read,
control characters in names, addresses and labels, a name that is not text, more features than a file may hold, a
checklist leaving a kind of its scheme with no item; a file without ``active`` states nothing about it."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from city.assessment.registry_checks import read_files
from city.assessment.registry_files import MAX_ROWS

DEMO = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou" / "assessment"
HEADER = "code,name,contact_name,contact_phone,active"
BOX = (117.5, 24.4, 117.8, 24.7)


def _demo(name: str) -> str:
    return (DEMO / name).read_text("utf-8")


def _point(**props: Any) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(json.loads(_demo("objects.geojson"))["features"][0])
    found["properties"].update(props)
    return found


def _objects(*features: dict[str, Any]) -> dict[str, str]:
    return {"objects.geojson": json.dumps({"type": "FeatureCollection", "features": list(features)})}


def _problems(files: dict[str, str]) -> dict[str, str]:
    return read_files(files, BOX)[1].fields()


def test_cr_only_newlines_are_read() -> None:
    parsed, problems = read_files({"companies.csv": HEADER + "\rPC-CR,名称,,,1\rPC-CR2,名称二,,,0\r"}, BOX)
    assert problems.count == 0, problems.lines()
    assert [(c["code"], c["active"]) for c in parsed.companies] == [("PC-CR", True), ("PC-CR2", False)]


@pytest.mark.parametrize(("text", "key", "part"), [
    (HEADER + '\nPC-1,"unterminated,,,1\n', "companies.csv: row 2: row", "not readable CSV"),
    (HEADER + '\nPC-1,"a"b,,,1\n', "companies.csv: row 2: row", "not readable CSV"),
    (HEADER + "\nPC-1," + "x" * (csv.field_size_limit() + 10) + ",,,1\n", "companies.csv: row 2: row",
     "a field longer than"),
])
def test_malformed_csv_is_a_problem_naming_the_row(text: str, key: str, part: str) -> None:
    problems = _problems({"companies.csv": text})
    assert part in problems.get(key, ""), problems


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1bb", "a\x07b", "a\tb", "a\nb", "a\rb", "a\x7fb"])
def test_control_characters_are_refused_in_names_addresses_and_labels(bad: str) -> None:
    company = _problems({"companies.csv": f'{HEADER}\nPC-1,"{bad}",,,1\n'})
    row = 3 if bad in ("a\nb", "a\rb") else 2  # a row is numbered by its last line
    assert "control characters" in company.get(f"companies.csv: row {row}: name", ""), company
    objects = _problems(_objects(_point(name=bad), _point(code="X-2", address=bad)))
    assert "control characters" in objects["objects.geojson: row 1: name"], objects
    assert "control characters" in objects["objects.geojson: row 2: address"], objects
    document = json.loads(_demo("checklists.json"))
    document["garbage_sorting"]["items"][0]["label"] = bad
    document["property"]["name"] = bad
    lists = _problems({"checklists.json": json.dumps(document)})
    assert "control characters" in lists["checklists.json: garbage_sorting.items.1.label"], lists
    assert "control characters" in lists["checklists.json: property.name"], lists


@pytest.mark.parametrize("name", [{"zh": "名"}, 42, ["a"], True])
def test_a_name_that_is_not_text_is_refused(name: Any) -> None:
    problems = _problems(_objects(_point(name=name)))
    assert problems["objects.geojson: row 1: name"] == "must be text", problems


def test_names_keep_angle_brackets_as_given() -> None:
    parsed, problems = read_files(_objects(_point(name="<b>小区</b>")), BOX)
    assert problems.count == 0 and parsed.objects[0]["name"] == "<b>小区</b>"  # the pages escape it


def test_more_features_than_a_file_may_hold() -> None:
    feature: dict[str, Any] = {"type": "Feature", "geometry": None, "properties": {}}
    problems = _problems({"objects.geojson": json.dumps({"type": "FeatureCollection",
                                                          "features": [feature] * (MAX_ROWS + 1)})})
    assert f"{MAX_ROWS:,} features" in problems["objects.geojson: file"], problems


def test_a_checklist_leaving_a_kind_without_items_is_refused() -> None:
    document = json.loads(_demo("checklists.json"))
    for item in document["garbage_sorting"]["items"]:
        item["kinds"] = ["community", "institution"]
    problems = _problems({"checklists.json": json.dumps(document)})
    message = problems["checklists.json: garbage_sorting.items"]
    assert "collection_point" in message and "transfer_station" in message and "community" not in message


def test_a_file_without_active_states_nothing_about_it() -> None:
    props = _point()["properties"]
    props.pop("active", None)
    parsed, problems = read_files({"companies.csv": "code,name\nPC-1,甲\n", **_objects(_point())}, BOX)
    assert problems.count == 0, problems.lines()
    assert parsed.companies[0]["active"] is None
    assert parsed.objects[0]["active"] is ("active" in json.loads(_demo("objects.geojson"))["features"][0]
                                           ["properties"] or None)
