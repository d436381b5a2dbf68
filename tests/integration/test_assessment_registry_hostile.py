"""Hostile input to the assessment registries (考评登记) on SQLite and PostgreSQL: a malformed or CR-only CSV upload
and a NUL in a name answered 422 naming the file and row (nothing written), a reload that does not state ``active``
keeps an admin's switch, a page number that is no ASCII number refused (API) or read as page 1 (admin page), and
the objects' text search literal (``%``, ``_``) and case-insensitive."""

from __future__ import annotations

import io
from typing import Any

import pytest
from api_support import Api, error_of
from assessment_registry_support import COMPANY_HEADER, feature, objects_file, table_state
from pages_support import Browser

from city.persistence.read.assessment_registry import stored_companies


def _upload(api: Api, text: str) -> Any:
    return api.client.post("/api/v1/assessment/registry", headers=api.headers("admin"),
                           data={"f": (io.BytesIO(text.encode("utf-8")), "companies.csv")},
                           content_type="multipart/form-data")


def _without_active(item: dict[str, Any]) -> dict[str, Any]:
    item["properties"].pop("active", None)
    return item


@pytest.mark.parametrize(("text", "key", "part"), [
    (COMPANY_HEADER + 'WY80,"unterminated,,,1\n', "companies.csv: row 2: row", "not readable CSV"),
    (COMPANY_HEADER + "WY81,a\x00b,,,1\n", "companies.csv: row 2: name", "control characters"),
    (COMPANY_HEADER + "WY82,a\x1b[31mb,,,1\n", "companies.csv: row 2: name", "control characters"),
])
def test_a_bad_upload_is_a_problem_naming_the_row(api: Api, text: str, key: str, part: str) -> None:
    before = table_state(api.deps.db)
    error = error_of(_upload(api, text), 422)
    assert part in error["fields"].get(key, ""), error["fields"]
    assert table_state(api.deps.db) == before


def test_cr_only_newlines_and_a_nul_in_an_objects_name(api: Api) -> None:
    loaded = _upload(api, COMPANY_HEADER.strip() + "\rWY83,回车物业,,,1\r")
    assert loaded.status_code == 200 and loaded.json["companies"]["inserted"] == 1, loaded.json
    before = table_state(api.deps.db)
    refused = api.post("/assessment/registry", "admin", {"files": objects_file(feature("community", name="a\x00b"))})
    assert "control characters" in error_of(refused, 422)["fields"]["objects.geojson: row 1: name"]
    assert table_state(api.deps.db) == before


def test_a_reload_not_stating_active_keeps_the_admins_switch(api: Api) -> None:
    switch = "/assessment/objects/garbage_sorting/GS-SQ003"
    assert api.post(switch + "/active", "admin", {"active": False}).status_code == 200
    renamed = _without_active(feature("community", code="GS-SQ003", name="改名不启用"))
    added = _without_active(feature("community", code="GS-NEW-1", name="新对象"))
    assert api.post("/assessment/registry", "admin", {"files": objects_file(renamed, added)}).status_code == 200
    assert api.get(switch, "admin").json["active"] is False
    assert api.get(switch, "admin").json["name"] == "改名不启用"
    assert api.get("/assessment/objects/garbage_sorting/GS-NEW-1", "admin").json["active"] is True
    stated = feature("community", code="GS-SQ003", name="改名不启用", active=True)
    assert api.post("/assessment/registry", "admin", {"files": objects_file(stated)}).status_code == 200
    assert api.get(switch, "admin").json["active"] is True
    off = COMPANY_HEADER + "WY84,停用物业,,,0\n"
    assert api.post("/assessment/registry", "admin", {"files": {"companies.csv": off}}).status_code == 200
    unstated = "code,name\nWY84,停用物业改名\n"
    assert api.post("/assessment/registry", "admin", {"files": {"companies.csv": unstated}}).status_code == 200
    with api.deps.uow(read_only=True) as uow:
        companies = stored_companies(uow.store)
    assert companies["WY84"]["active"] is False and companies["WY84"]["name"] == "停用物业改名"


def test_a_page_number_must_be_ascii_digits(api: Api) -> None:
    for page in ("²", "١", "9" * 40):
        assert "page" in error_of(api.get(f"/assessment/objects?page={page}", "admin"), 422)["fields"]
    shown = Browser(api, "admin").get("/admin/assessment?page=²")
    assert shown.status_code == 200


def test_the_text_search_is_literal_and_ignores_case(api: Api) -> None:
    assert api.get("/assessment/objects?q=pm-xq00", "admin").json["total"] == 9
    assert api.get("/assessment/objects?q=PM-XQ00", "admin").json["total"] == 9
    for query in ("%25", "_", "%5C"):  # %, _ and the escape character (URL-encoded) match only themselves
        assert api.get(f"/assessment/objects?q={query}", "admin").json["total"] == 0, query
