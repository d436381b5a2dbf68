"""The shipped Zhangzhou catalogue loads, and each validation error names the file and the item."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from city.catalog.reader import ROLES, TIME_UNITS, CatalogError, load_catalog

CITY = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou"
FILES = ("categories.json", "departments.json", "users.json")
MUST_INCLUDE = {
    "暴露垃圾": "Exposed garbage",
    "店外经营": "Shop-front encroachment",
    "占道经营": "Street vending occupying the road",
    "井盖破损": "Damaged manhole cover",
    "垃圾箱满溢": "Overflowing bin",
    "非法小广告": "Illegal small ads",
    "施工占道": "Construction occupying the road",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CITY)


def test_shipped_catalogue_counts(catalog) -> None:
    stats = catalog.stats()
    assert stats["aspects"] == 17
    assert stats["subtypes"] >= 120
    assert stats["components"] + stats["events"] == stats["subtypes"]
    assert stats["components"] > 0 and stats["events"] > 0
    assert stats["departments"] == 80
    assert stats["users"] == len(catalog.users)
    assert catalog.demo_password == "gridcase-demo"


def test_every_role_present_and_every_department_staffed(catalog) -> None:
    assert {u.role for u in catalog.users.values()} == set(ROLES)
    for code in catalog.departments:
        assert catalog.members_of(code), code


def test_departments_cover_levels_and_centres(catalog) -> None:
    depts = catalog.departments.values()
    assert {d.level for d in depts} == {"city", "district", "street"}
    assert {d.district for d in depts if d.level != "city"} == {"350602", "350603", "350690"}
    assert {d.centre for d in depts} >= {"supervision_centre", "command_centre"}
    names = {d.name_zh for d in depts}
    assert "漳州市城市管理局" in names and "芗城区环境卫生管理处" in names


def test_must_include_subtypes(catalog) -> None:
    for name_zh, name_en in MUST_INCLUDE.items():
        subtype = catalog.subtype_by_name(name_zh)
        assert subtype is not None, name_zh
        assert subtype.name_en == name_en
    assert catalog.subtype_by_name("出店经营") is catalog.subtype_by_name("店外经营")
    assert catalog.subtype_by_name("井盖破损").kind == "component"
    assert catalog.subtype_by_name("暴露垃圾").kind == "event"


def test_video_ai_classes_and_code_scheme(catalog) -> None:
    ai = {s.name_zh for s in catalog.subtypes.values() if s.video_ai}
    assert len(ai) == 12
    assert {"店外经营", "垃圾箱满溢", "暴露垃圾", "占道经营"} <= ai
    for s in catalog.subtypes.values():
        major = int(s.major_code)
        assert (major <= 5) == (s.kind == "component"), s.code
        assert s.time_limit.unit in TIME_UNITS
        assert s.closing_standard_zh
    assert "major" in catalog.scheme.lower()


def _broken(tmp_path: Path, file: str, change: Callable[[dict[str, Any]], None]) -> Path:
    for name in FILES:
        shutil.copy(CITY / name, tmp_path / name)
    path = tmp_path / file
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return tmp_path


def _dup_subtype(d: dict[str, Any]) -> None:
    d["subtypes"].append(dict(d["subtypes"][0]))


def _dup_aspect(d: dict[str, Any]) -> None:
    d["aspects"].append(dict(d["aspects"][0]))


def _bad_unit(d: dict[str, Any]) -> None:
    d["subtypes"][0]["time_limit"] = {"amount": 3, "unit": "fortnights"}


def _unknown_subtype_aspect(d: dict[str, Any]) -> None:
    d["subtypes"][0]["aspect"] = "A99"


def _dup_department(d: dict[str, Any]) -> None:
    d["departments"].append(dict(d["departments"][-1]))


def _unknown_department_aspect(d: dict[str, Any]) -> None:
    d["departments"][2]["aspects"] = ["A03", "A42"]


def _dup_username(d: dict[str, Any]) -> None:
    d["users"].append(dict(d["users"][0]))


def _unknown_user_department(d: dict[str, Any]) -> None:
    d["users"][0]["department"] = "C99"


def _unstaffed_department(d: dict[str, Any]) -> None:
    d["users"] = [u for u in d["users"] if not (u["role"] == "department_member" and u["department"] == "C05")]


def _unknown_role(d: dict[str, Any]) -> None:
    d["users"][0]["role"] = "mayor"


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("categories.json", _dup_subtype, "categories.json: duplicate subtype code '0101'"),
        ("categories.json", _dup_aspect, "categories.json: duplicate aspect code 'A01'"),
        ("categories.json", _bad_unit, "categories.json: subtype '0101' (上水井盖): bad time unit 'fortnights'"),
        ("categories.json", _unknown_subtype_aspect,
         "categories.json: subtype '0101' (上水井盖): unknown aspect 'A99'"),
        ("departments.json", _dup_department, "departments.json: duplicate department code"),
        ("departments.json", _unknown_department_aspect,
         "departments.json: department 'C03' (漳州市城市管理局): unknown aspect 'A42'"),
        ("users.json", _dup_username, "users.json: duplicate username 'collector001'"),
        ("users.json", _unknown_user_department, "users.json: user 'collector001': unknown department 'C99'"),
        ("users.json", _unstaffed_department, "users.json: department 'C05' (漳州市市政公用事业服务中心) has no"),
        ("users.json", _unknown_role, "users.json: user 'collector001': unknown role 'mayor'"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_validation_errors(tmp_path: Path, file: str, change: Callable[[dict[str, Any]], None],
                           expected: str) -> None:
    folder = _broken(tmp_path, file, change)
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_file_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"categories\.json: file not found"):
        load_catalog(tmp_path)
    folder = _broken(tmp_path, "users.json", lambda d: None)
    (folder / "users.json").write_text("{not json", "utf-8")
    with pytest.raises(CatalogError, match=r"users\.json: invalid JSON"):
        load_catalog(folder)
