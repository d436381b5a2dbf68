"""The assessment registries' admin page (/admin/assessment), command line (``gridcase assessment load|objects|
set-active``) and OpenAPI entries, on SQLite and PostgreSQL: the same commands as the API, refusing the same way."""

from __future__ import annotations

import io
import json
from pathlib import Path

from api_support import Api
from assessment_registry_support import COMPANY_HEADER, DEMO_DIR, table_state
from assessment_rounds_api_support import gridcase
from pages_support import Browser


def test_the_admin_page_lists_loads_and_switches(api: Api) -> None:
    assert Browser(api, "supervisor01").get("/admin/assessment").status_code == 403
    admin = Browser(api, "admin")
    assert 'id="admin-assessment"' in admin.get("/admin").text
    page = admin.get("/admin/assessment?scheme=property&kind=compound")
    assert page.status_code == 200 and 'id="object-property-PM-XQ001"' in page.text
    assert 'id="object-garbage_sorting-' not in page.text and 'id="company-WY01"' in page.text
    assert "分类投放设施齐全" in page.text and "消防通道畅通" in page.text  # both checklists
    before = table_state(api.deps.db)
    broken = io.BytesIO((COMPANY_HEADER + "WY 1,坏代码,,,1\n").encode())
    refused = admin.client.post("/admin/assessment", data={"csrf_token": admin.token,
                                                           "companies": (broken, "x.csv")},
                                content_type="multipart/form-data")
    assert refused.status_code == 422 and "companies.csv: row 2: code" in refused.text
    assert table_state(api.deps.db) == before
    good = io.BytesIO((COMPANY_HEADER + "WY80,页面物业,,,1\n").encode())
    loaded = admin.client.post("/admin/assessment", data={"csrf_token": admin.token, "companies": (good, "y.csv")},
                               content_type="multipart/form-data")
    assert loaded.status_code == 302 and 'id="company-WY80"' in admin.get("/admin/assessment").text
    admin.get("/admin/assessment?scheme=garbage_sorting&page=1")
    switched = admin.client.post("/admin/assessment/objects/garbage_sorting/GS-SQ003/active",
                                 data={"csrf_token": admin.token, "active": "0", "back": "scheme=garbage_sorting"})
    assert switched.status_code == 302 and "scheme=garbage_sorting" in switched.headers["Location"]
    page = admin.get("/admin/assessment?scheme=garbage_sorting&kind=community").text
    row = page.split('id="object-garbage_sorting-GS-SQ003"')[1].split("</tr>")[0]
    assert row.startswith(' class="disabled"') and "启用</button>" in row
    admin.client.post("/admin/assessment/objects/garbage_sorting/GS-SQ003/active",
                      data={"csrf_token": admin.token, "active": "1"})


def test_the_command_line_loads_lists_switches_and_exits_2_when_refused(api: Api, tmp_path: Path) -> None:
    loaded = gridcase(api.url, "load", str(DEMO_DIR), "--as", "admin")
    assert loaded.returncode == 0, loaded.stderr
    assert "objects: 0 inserted, 0 updated, 421 unchanged" in loaded.stdout and "checklists: unchanged" in loaded.stdout
    listed = gridcase(api.url, "objects", "--scheme", "property", "--json")
    rows = json.loads(listed.stdout)["objects"]
    assert len(rows) == 120 and rows[0]["kind"] == "compound" and rows[0]["company"]
    table = gridcase(api.url, "objects").stdout.splitlines()
    assert table[0].startswith("scheme\tcode") and len(table) == 1 + 421
    off = gridcase(api.url, "set-active", "property", "PM-XQ002", "--inactive", "--as", "admin")
    assert off.returncode == 0 and "PM-XQ002: inactive" in off.stdout
    assert gridcase(api.url, "set-active", "property", "PM-XQ002", "--active", "--as", "admin").returncode == 0
    assert gridcase(api.url, "set-active", "property", "NOPE", "--active", "--as", "admin").returncode == 2
    assert gridcase(api.url, "set-active", "property", "PM-XQ002", "--active", "--as", "supervisor01").returncode == 2
    bad = tmp_path / "companies.csv"
    bad.write_text(COMPANY_HEADER + "WY81,,,,1\n", "utf-8")
    before = table_state(api.deps.db)
    refused = gridcase(api.url, "load", str(bad), "--as", "admin")
    assert refused.returncode == 2 and "companies.csv: row 2: name" in refused.stderr
    assert table_state(api.deps.db) == before


def test_the_routes_are_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    assert {"post"} <= set(paths["/assessment/registry"]) and "get" in paths["/assessment/objects"]
    assert "post" in paths["/assessment/objects/{scheme}/{code}/active"]
    assert "get" in paths["/assessment/checklists/{scheme}"]
    assert {p["name"] for p in paths["/assessment/objects"]["get"]["parameters"]} >= {"scheme", "district", "kind"}
