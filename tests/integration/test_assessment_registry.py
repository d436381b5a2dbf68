"""The assessment registries (考评登记) on SQLite and PostgreSQL: the demo city's files loaded by ``gridcase demo
seed``, a reload that changes nothing, a load that updates and inserts (a changed checklist a new version, the same
one none), every kind of refused load (named by file, row and field; nothing written), who may load, the loads'
lock and the (de)activate switch."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from api_support import Api, error_of
from assessment_registry_support import (
    COMPANY_HEADER,
    checklists,
    csv_rows,
    csv_text,
    demo_files,
    feature,
    objects_file,
    table_state,
)
from registry_load_support import another_load_may_start
from shapely.geometry import Point, shape

from city.assessment import registry
from city.persistence.read.assessment_registry import active_objects, newest_checklist
from city.persistence.repositories.assessment_registry import REGISTRY_LOCK_KEY


def _load(api: Api, files: dict[str, str], user: str = "admin") -> Any:
    return api.post("/assessment/registry", user, {"files": files})


def test_the_seeded_city_holds_the_demo_registries(api: Api) -> None:
    compounds = api.get("/assessment/objects?scheme=property", "supervisor01").json
    assert compounds["total"] == 120 and len(compounds["objects"]) == 50 and compounds["page"] == 1
    stations = api.get("/assessment/objects?kind=transfer_station", "collector001").json
    assert stations["total"] == 6 and {o["department"] for o in stations["objects"]} == {"C06"}
    one = api.get("/assessment/objects/property/PM-XQ001", "admin").json
    assert one["company"] and one["company_name"].startswith("漳州") and one["department"] == "C27"
    assert one["district"] and one["street"] and one["grid"] and one["inspections"] == []
    assert shape(one["polygon"]).contains(Point(one["lon"], one["lat"]))
    versions = api.get("/assessment/checklists/garbage_sorting", "auditor01").json["versions"]
    assert len(versions) == 1 and versions[0]["version"] == 1 and len(versions[0]["items"]) == 10
    assert sum(i["points"] for i in versions[0]["items"]) == 100 and versions[0]["loaded_by"] == "admin"
    with api.deps.uow(read_only=True) as uow:
        garbage = active_objects(uow.store, "garbage_sorting")
        newest = newest_checklist(uow.store, "property")
        property_rows = active_objects(uow.store, "property")
    assert len(garbage) == 301 - 6 and all(o["active"] and o["scheme"] == "garbage_sorting" for o in garbage)
    assert property_rows[0]["company_code"] and property_rows[0]["polygon_json"] and property_rows[0]["min_lon"]
    assert newest is not None and newest["version"] == 1 and newest["items"][0]["code"] == "PM01"


def test_filters_and_paging(api: Api) -> None:
    page2 = api.get("/assessment/objects?scheme=garbage_sorting&page=2", "admin").json
    assert page2["page"] == 2 and page2["total"] == 301 and page2["objects"][0]["code"] > "GS-"
    district = api.get("/assessment/objects?district=350603&active=1", "admin").json
    assert district["total"] > 0 and {o["district"] for o in district["objects"]} == {"350603"}
    found = api.get("/assessment/objects?q=PM-XQ00", "admin").json
    assert found["total"] == 9
    for query, name in (("kind=road", "kind"), ("scheme=x", "scheme"), ("active=2", "active"), ("page=0", "page")):
        assert name in error_of(api.get(f"/assessment/objects?{query}", "admin"), 422)["fields"]
    assert api.get("/assessment/objects/property/NOPE", "admin").status_code == 404
    assert api.get("/assessment/checklists/roads", "admin").status_code == 404


def test_a_reload_changes_nothing_and_a_change_updates(api: Api) -> None:
    before = table_state(api.deps.db)
    again = _load(api, demo_files())
    assert again.status_code == 200, again.json
    assert again.json == {"companies": {"inserted": 0, "updated": 0, "unchanged": 25},
                          "objects": {"inserted": 0, "updated": 0, "unchanged": 421}, "checklists": {}}
    assert table_state(api.deps.db) == before
    companies = csv_rows(demo_files()["companies.csv"])
    companies[0]["contact_phone"] = "0596-7654321"
    companies.append({"code": "WY90", "name": "漳州新物业有限公司", "contact_name": "", "contact_phone": "",
                      "active": "1"})
    renamed = feature("community", name="改名社区")
    added = feature("compound", code="PM-XQ900", company="WY90")
    document = checklists()
    document["property"]["items"][0]["points"] = 20
    files = {"companies.csv": csv_text(companies), **objects_file(renamed, added),
             "checklists.json": json.dumps(document, ensure_ascii=False)}
    changed = _load(api, files)
    assert changed.json == {"companies": {"inserted": 1, "updated": 1, "unchanged": 24},
                            "objects": {"inserted": 1, "updated": 1, "unchanged": 0},
                            "checklists": {"property": 2}}, changed.json
    one = api.get("/assessment/objects/property/PM-XQ900", "admin").json
    assert one["company"] == "WY90" and one["company_name"] == "漳州新物业有限公司" and one["kind"] == "compound"
    assert api.get("/assessment/objects/garbage_sorting/GS-SQ001", "admin").json["name"] == "改名社区"
    assert _load(api, files).json["checklists"] == {}  # the same checklist again: no version
    versions = api.get("/assessment/checklists/property", "admin").json["versions"]
    assert [v["version"] for v in versions] == [2, 1] and versions[0]["items"][0]["points"] == 20


def _catalogue_checklist() -> dict[str, str]:
    document = checklists()
    document["garbage_sorting"]["items"][2]["subtype"] = "9999"
    return {"checklists.json": json.dumps(document, ensure_ascii=False)}


REFUSED = [
    (objects_file(feature("compound", company="WY99")), "objects.geojson: row 1: company", "no property company"),
    (objects_file(feature("community", department="C99")), "objects.geojson: row 1: department", "no department"),
    (objects_file({**feature("community"), "geometry": {"type": "Point", "coordinates": [117.55, 24.45]}}),
     "objects.geojson: row 1: geometry", "outside the city's grids"),
    (objects_file({**feature("community"), "geometry": {"type": "Point", "coordinates": [121.0, 31.0]}}),
     "objects.geojson: row 1: geometry", "outside the city's area"),
    (_catalogue_checklist(), "checklists.json: garbage_sorting.items.3.subtype", "not in the city's catalogue"),
    ({"companies.csv": COMPANY_HEADER + "WY91,甲,,,1\nWY91,乙,,,1\n"}, "companies.csv: row 3: code", "repeats"),
    ({"objects.geojson": "x" * 5_000_001}, "objects.geojson: file", "at most"),
]


@pytest.mark.parametrize(("files", "key", "message"), REFUSED)
def test_a_refused_load_names_the_problem_and_writes_nothing(api: Api, files: dict[str, str], key: str,
                                                             message: str) -> None:
    before = table_state(api.deps.db)
    good_company = {"companies.csv": COMPANY_HEADER + "WY95,本该写入,,,1\n"}  # valid, refused with the rest
    error = error_of(_load(api, {**good_company, **files}), 422)
    assert message in error["fields"].get(key, ""), error["fields"]
    assert table_state(api.deps.db) == before


def test_only_admins_load_and_switch(api: Api) -> None:
    before = table_state(api.deps.db)
    files = {"companies.csv": COMPANY_HEADER + "WY96,越权,,,1\n"}
    assert _load(api, files, "supervisor01").status_code == 403
    assert _load(api, files, "collector001").status_code == 403
    assert api.post("/assessment/objects/garbage_sorting/GS-SQ001/active", "shiftlead01",
                    {"active": False}).status_code == 403
    assert api.get("/assessment/objects", "seat01").status_code == 200  # the centre reads them
    assert table_state(api.deps.db) == before


def test_the_switch_takes_an_object_out_of_the_coming_rounds(api: Api) -> None:
    off = api.post("/assessment/objects/garbage_sorting/GS-SQ002/active", "admin", {"active": False})
    assert off.json == {"scheme": "garbage_sorting", "code": "GS-SQ002", "active": False}
    with api.deps.uow(read_only=True) as uow:
        assert "GS-SQ002" not in {o["code"] for o in active_objects(uow.store, "garbage_sorting")}
    assert api.post("/assessment/objects/garbage_sorting/GS-SQ002/active", "admin",
                    {"active": True}).json["active"] is True
    missing = error_of(api.post("/assessment/objects/garbage_sorting/NOPE/active", "admin", {"active": True}), 404)
    assert "code" in missing["fields"]
    assert api.post("/assessment/objects/roads/GS-SQ002/active", "admin", {"active": True}).status_code == 404
    assert api.post("/assessment/objects/garbage_sorting/GS-SQ002/active", "admin",
                    {"active": "yes"}).status_code in (400, 422)


def test_a_multipart_upload_loads_as_the_json_body_does(api: Api) -> None:
    data = {"companies": (io.BytesIO((COMPANY_HEADER + "WY97,上传物业,,,1\n").encode()), "companies.csv")}
    sent = api.client.post("/api/v1/assessment/registry", data=data, headers=api.headers("admin"),
                           content_type="multipart/form-data")
    assert sent.status_code == 200, sent.json
    assert sent.json["companies"]["inserted"] == 1
    bad = {"f": (io.BytesIO(b"\xff\xfe\x00"), "companies.csv")}
    refused = api.client.post("/api/v1/assessment/registry", data=bad, headers=api.headers("admin"),
                              content_type="multipart/form-data")
    assert refused.status_code == 422


def test_a_load_holds_the_other_loads_off_before_it_checks(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    checks = registry.check_references

    def checking(*args: Any) -> None:  # the real checks, asked first whether another load could start now
        seen.append(another_load_may_start(api.deps.db, REGISTRY_LOCK_KEY))
        checks(*args)

    monkeypatch.setattr(registry, "check_references", checking)
    assert another_load_may_start(api.deps.db, REGISTRY_LOCK_KEY)
    assert _load(api, {"companies.csv": COMPANY_HEADER + "WY98,加锁物业,,,1\n"}).status_code == 200
    assert seen == [False] and another_load_may_start(api.deps.db, REGISTRY_LOCK_KEY)

