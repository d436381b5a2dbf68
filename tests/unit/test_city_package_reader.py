"""Reading a city package checks everything before anything is written: each refusal names the file, the item and
the fix (tests/fixtures/cities/lakeside, changed one file at a time)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from city.package.format import PackageError
from city.package.reader import read_package

LAKESIDE = Path(__file__).resolve().parents[1] / "fixtures" / "cities" / "lakeside"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "lakeside"
    shutil.copytree(LAKESIDE, folder)
    return folder


def _edit(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    data = json.loads((folder / name).read_text("utf-8"))
    change(data)
    (folder / name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_the_test_city_reads_with_its_own_field_names_and_projected_files(package: Path) -> None:
    city = read_package(package)
    assert (city.profile.name, city.profile.time_zone, city.profile.locale) == ("Lakeside", "America/Chicago", "en")
    assert city.grids.counts() == {"districts": 2, "resp_grids": 4, "unit_grids": 16}
    west, south = json.loads(city.grids.unit_grids[0][4])["coordinates"][0][0]
    assert -87.7 < west < -87.6 and 41.8 < south < 41.9  # UTM 16N metres reprojected to longitude/latitude
    assert city.grid_streets() == {"B11": "NS", "B12": "NS", "B21": "SL", "B22": "SL"}
    assert [c["code"] for c in city.channels] == ["311", "app", "inspector", "alderman"]
    assert {s["code"]: s["national_code"] for s in city.subtypes}["0101"] == "0101"
    assert sorted(city.rules) == ["rules/filing.dmn", "rules/priority.dmn", "rules/responsibility.dmn"]


@pytest.mark.parametrize(("name", "change", "message"), [
    ("city.json", lambda d: d.update(time_zone="Mars/Olympus"),
     "city.json: time_zone: 'Mars/Olympus' is not an IANA time zone"),
    ("city.json", lambda d: d.update(locale="fr"), "city.json: locale 'fr' must be one of zh, en"),
    ("city.json", lambda d: d.update(colour="blue"), "city.json: unknown key 'colour'"),
    ("city.json", lambda d: d["unit_grids"].update(code_field="TRACTCE"),
     "feature 1 has no 'TRACTCE' property"),
    ("categories.json", lambda d: d["subtypes"][0].update(aspect="A9"),
     "categories.json: subtype '0101' (Manhole cover): unknown aspect 'A9'"),
    ("users.json", lambda d: d["users"][0].update(department="C99"),
     "users.json: user 'collector1': unknown department 'C99'"),
    ("channels.json", lambda d: d["channels"].append(dict(d["channels"][0])),
     "channels.json: channel 5: duplicate code '311'"),
    ("channels.json", lambda d: d["channels"][1].update(urgent="yes"),
     "channels.json: channel 'app': 'urgent' must be true or false"),
    ("streets.json", lambda d: d["streets"][0]["resp_grids"].append("B21"),
     "streets.json: street 'NS': responsibility grid 'B21' lies in district 'W2', not the street's 'W1'"),
    ("streets.json", lambda d: d["streets"][1].update(department="W9-S01"),
     "streets.json: street 'SL': department 'W9-S01' is not in departments.json"),
    ("departments.json", lambda d: d["departments"][2].update(district="W7"),
     "departments.json: department 'W1-D01' (First Ward Public Works): unknown district 'W7'"),
])
def test_a_bad_file_is_refused_naming_the_file_the_item_and_the_fix(package: Path, name: str,
                                                                    change: Callable[[Any], None],
                                                                    message: str) -> None:
    _edit(package, name, change)
    with pytest.raises(PackageError) as refused:
        read_package(package)
    assert message in str(refused.value)


def test_a_missing_file_and_broken_json_are_named(package: Path) -> None:
    (package / "channels.json").unlink()
    with pytest.raises(PackageError, match=r"channels.json: missing in .*every city package has one"):
        read_package(package)
    (package / "channels.json").write_text('{"channels": [\n  {"code": "311",}\n]}', "utf-8")
    with pytest.raises(PackageError, match=r"channels.json: line 2 column \d+: invalid JSON"):
        read_package(package)


def test_a_broken_duty_calendar_and_holiday_calendar_are_named(package: Path) -> None:
    _edit(package, "duty_calendar.json", lambda d: d["versions"][0].update(effective_from="someday"))
    with pytest.raises(PackageError, match=r"duty_calendar.json: versions\[0\].effective_from"):
        read_package(package)
    shutil.copy(LAKESIDE / "duty_calendar.json", package / "duty_calendar.json")
    (package / "calendar" / "us.json").write_text('{"years": {"2026": {"holidays": ["Christmas"]}}}', "utf-8")
    with pytest.raises(PackageError, match=r"calendar/us.json: not a holiday calendar"):
        read_package(package)
