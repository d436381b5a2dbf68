"""The transport registries (渣土运输登记) on SQLite and PostgreSQL: the demo city's files loaded by ``gridcase demo
seed``, a load from scratch, a reload (updates, never duplicates; permits' vehicles replaced), every kind of refused
file (naming file, row and field, nothing written), who may load and read, the command line's exit codes and the
admin page."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api_support import ROOT, Api, error_of
from pages_support import Browser
from registry_load_support import another_load_may_start
from sqlalchemy.engine import Engine
from transport_registry_support import (
    COMPANY_HEADER,
    VEHICLE_HEADER,
    csv_rows,
    csv_text,
    demo_files,
    features,
    geojson,
    refused_loads,
)

from city.bootstrap import bootstrap
from city.persistence.read.transport_registry import registry_snapshot, registry_version
from city.persistence.repositories.transport_registry import REGISTRY_LOCK_KEY
from city.transport import registry
from city.transport.commands import LoadTransportRegistry
from engine.domain import commands as c
from engine.domain.errors import NotAllowed

REFUSED = refused_loads()


def _version(api: Api) -> str:
    with api.deps.uow(read_only=True) as uow:
        return registry_version(uow.store)


def _load(api: Api, files: dict[str, str], user: str = "admin") -> Any:
    return api.post("/transport/registry", user, {"files": files})


def test_the_seeded_city_holds_the_demo_registries(api: Api) -> None:
    demo = demo_files()
    companies = {r["code"] for r in api.get("/transport/companies", "admin").json["companies"]}
    assert {r["code"] for r in csv_rows(demo["companies.csv"])} <= companies and len(companies) >= 12
    vehicles = api.get("/transport/vehicles", "auditor01").json["vehicles"]
    assert {r["plate"] for r in csv_rows(demo["vehicles.csv"])} <= {v["plate"] for v in vehicles}
    sites = api.get("/transport/sites?geometry=0", "supervisor01").json["sites"]
    assert {s["kind"] for s in sites} == {"source", "disposal", "depot"} and "geometry" not in sites[0]
    depots = {s["company_code"]: s for s in sites if s["kind"] == "depot"}
    assert set(depots) == {f"ZT{n:02d}" for n in range(1, 13)}  # one per company, with its company
    assert depots["ZT01"]["company_name"] == "漳州市鑫达渣土运输有限公司" and depots["ZT01"]["code"] == "DEP01"
    assert all(s["company_code"] is None for s in sites if s["kind"] != "depot")
    permits = {p["code"]: p for p in api.get("/transport/permits", "dept_c03_01").json["permits"]}
    assert {f["properties"]["code"] for f in features(demo["permits.geojson"])} <= set(permits)
    first = permits["ZTHZ-2026-001"]
    assert first["corridor"]["type"] == "LineString" and first["corridor_width_m"] == 80
    assert first["valid_from"] == "2025-12-31T16:00:00+00:00" and first["validity"] in ("valid", "upcoming")
    mine = api.get("/transport/vehicles?company=ZT01", "admin").json["vehicles"]
    assert mine and {v["company_code"] for v in mine} == {"ZT01"}
    assert set(first["plates"]) <= {v["plate"] for v in mine}


def test_a_load_from_scratch_inserts_every_row(db: Engine) -> None:
    bus = bootstrap(db)
    bus.handle(c.AddUser("registrar", "登记员", "admin", "registrar-password"))
    result = bus.handle(LoadTransportRegistry(demo_files(), "registrar"))
    assert result == {"companies": {"inserted": 12, "updated": 0, "unchanged": 0},
                      "vehicles": {"inserted": 300, "updated": 0, "unchanged": 0},
                      "sites": {"inserted": 26, "updated": 0, "unchanged": 0},
                      "permits": {"inserted": 40, "updated": 0, "unchanged": 0}}
    with bus.deps.uow(read_only=True) as uow:
        snapshot = registry_snapshot(uow.store)
    assert snapshot.version and len(snapshot.vehicles_by_device) == 300 and len(snapshot.sites) == 26
    truck = snapshot.vehicles_by_device["DEV-00001"]
    assert truck.company_id in snapshot.companies and truck.active
    for permits in snapshot.permits_by_vehicle.values():
        for permit in permits:
            assert snapshot.sites[permit.source_site_id].kind == "source"
            assert snapshot.sites[permit.disposal_site_id].kind == "disposal"
            assert {snapshot.companies[permit.company_id].code} == {
                snapshot.companies[v.company_id].code for v in snapshot.vehicles_by_device.values()
                if v.id in permit.vehicle_ids}
    depots = {s.company_id: s for s in snapshot.sites.values() if s.kind == "depot"}
    assert set(depots) == set(snapshot.companies) and all(s.company_id is None for s in snapshot.sites.values()
                                                          if s.kind != "depot")


def _changed_files() -> tuple[dict[str, str], dict[str, Any]]:
    """The demo files with changes: a company's phone, a new company with a new truck and permit, two trucks'
    devices swapped, a permit naming one plate fewer."""
    demo = demo_files()
    companies = csv_rows(demo["companies.csv"])
    companies[0]["phone"] = "0596-1234567"
    companies.append({"code": "ZT13", "name": "漳州市新运渣土运输有限公司", "credit_code": "", "contact": "",
                      "phone": "", "active": "1"})
    vehicles = csv_rows(demo["vehicles.csv"])
    vehicles[0]["device_id"], vehicles[1]["device_id"] = vehicles[1]["device_id"], vehicles[0]["device_id"]
    vehicles.append({"plate": "闽EE9001", "company_code": "ZT13", "device_id": "DEV-90001", "active": "1"})
    permits = features(demo["permits.geojson"])
    permits[0]["properties"]["plates"] = permits[0]["properties"]["plates"][1:]
    extra = json.loads(json.dumps(permits[1]))
    extra["properties"].update(code="ZTHZ-2026-900", company_code="ZT13", plates=["闽EE9001"])
    files = {"companies.csv": csv_text(companies), "vehicles.csv": csv_text(vehicles),
             "sites.geojson": demo["sites.geojson"], "permits.geojson": geojson(*permits, extra)}
    return files, {"swapped": (vehicles[0]["plate"], vehicles[1]["plate"]),
                   "kept_plates": permits[0]["properties"]["plates"]}


def test_a_reload_updates_rows_and_never_duplicates_them(api: Api) -> None:
    before = _version(api)
    again = _load(api, demo_files())
    assert again.status_code == 200, again.json
    assert {name: counts["inserted"] + counts["updated"] for name, counts in again.json.items()} == {
        "companies": 0, "vehicles": 0, "sites": 0, "permits": 0}
    assert _version(api) == before  # nothing written: the ingest's cached snapshot stays valid
    files, expected = _changed_files()
    changed = _load(api, files)
    assert changed.status_code == 200, changed.json
    assert changed.json == {"companies": {"inserted": 1, "updated": 1, "unchanged": 11},
                            "vehicles": {"inserted": 1, "updated": 2, "unchanged": 298},
                            "sites": {"inserted": 0, "updated": 0, "unchanged": 26},
                            "permits": {"inserted": 1, "updated": 1, "unchanged": 39}}
    assert _version(api) != before
    vehicles = {v["plate"]: v for v in api.get("/transport/vehicles", "admin").json["vehicles"]}
    assert len(vehicles) == 301 and vehicles["闽EE9001"]["permits"] == ["ZTHZ-2026-900"]
    first, second = expected["swapped"]
    assert (vehicles[first]["device_id"], vehicles[second]["device_id"]) == ("DEV-00002", "DEV-00001")
    permits = {p["code"]: p for p in api.get("/transport/permits", "admin").json["permits"]}
    assert permits["ZTHZ-2026-001"]["plates"] == sorted(expected["kept_plates"]) and len(permits) == 41
    companies = {r["code"]: r for r in api.get("/transport/companies", "admin").json["companies"]}
    assert companies["ZT01"]["phone"] == "0596-1234567" and companies["ZT13"]["vehicles"] == 1
    assert _load(api, files).json["vehicles"] == {"inserted": 0, "updated": 0, "unchanged": 301}


def test_a_depot_moves_to_another_company_and_back_to_a_plain_site(api: Api) -> None:
    demo = {f["properties"]["code"]: f for f in features(demo_files()["sites.geojson"])}
    moved = json.loads(json.dumps(demo["DEP01"]))
    moved["properties"]["company_code"] = "ZT02"
    loaded = _load(api, {"sites.geojson": geojson(moved, demo["SRC01"])})
    assert loaded.status_code == 200 and loaded.json["sites"] == {"inserted": 0, "updated": 1, "unchanged": 1}
    with api.deps.uow(read_only=True) as uow:
        snapshot = registry_snapshot(uow.store)
    by_code = {s.code: s for s in snapshot.sites.values()}
    companies = {company.code: company.id for company in snapshot.companies.values()}
    assert by_code["DEP01"].company_id == companies["ZT02"] and by_code["SRC01"].company_id is None
    plain = json.loads(json.dumps(moved))
    plain["properties"] = {"code": "DEP01", "name": "原停车场", "kind": "source"}
    assert _load(api, {"sites.geojson": geojson(plain)}).json["sites"]["updated"] == 1
    listed = {s["code"]: s for s in api.get("/transport/sites?geometry=0", "admin").json["sites"]}
    assert (listed["DEP01"]["kind"], listed["DEP01"]["company_code"]) == ("source", None)
    assert _load(api, {"sites.geojson": geojson(demo["DEP01"])}).json["sites"]["updated"] == 1  # as it was
    listed = {s["code"]: s for s in api.get("/transport/sites?geometry=0", "admin").json["sites"]}
    assert (listed["DEP01"]["kind"], listed["DEP01"]["company_code"]) == ("depot", "ZT01")


@pytest.mark.parametrize(("files", "key", "message"), [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_a_bad_file_is_refused_naming_file_row_and_field(api: Api, files: dict[str, str], key: str,
                                                         message: str) -> None:
    before = _version(api)
    error = error_of(_load(api, files), 422)
    assert key in error["fields"], error["fields"]
    assert message in error["fields"][key], error["fields"][key]
    assert _version(api) == before  # nothing written, not even the good files beside it
    assert "ZT90" not in {r["code"] for r in api.get("/transport/companies", "admin").json["companies"]}


def _permit_with(**properties: Any) -> str:
    permit = features(demo_files()["permits.geojson"])[0]
    return geojson({**permit, "properties": {**permit["properties"], "code": "ZTHZ-TEST-2", **properties}})


DEEP = '{"type": "FeatureCollection", "features": [' + "[" * 50_000 + "]" * 50_000 + "]}"
NESTED = '{"type": "FeatureCollection", "features": [' + "[" * 200 + "]" * 200 + "]}"
REFUSED_EDGES = [
    ("an end past 24:00", {"permits.geojson": _permit_with(hours=["06:00-24:30"])}, "permits.geojson: row 1: hours.0",
     "HH:MM-HH:MM"),
    ("too deep for the parser", {"sites.geojson": DEEP}, "sites.geojson: file", "nested more than"),
    ("too deep for the checks", {"permits.geojson": NESTED}, "permits.geojson: file", "nested more than"),
    ("a year past 9999 in UTC", {"permits.geojson": _permit_with(valid_to="9999-12-31T23:00:00-05:00")},
     "permits.geojson: row 1: valid_to", "2000–2999"),
    ("a year before 2000", {"permits.geojson": _permit_with(valid_from="1999-12-31T23:00:00+00:00")},
     "permits.geojson: row 1: valid_from", "2000–2999"),
]


@pytest.mark.parametrize(("files", "key", "message"), [case[1:] for case in REFUSED_EDGES],
                         ids=[case[0] for case in REFUSED_EDGES])
def test_a_file_the_ingest_or_the_store_could_not_take_is_refused_by_name(api: Api, files: dict[str, str], key: str,
                                                                          message: str) -> None:
    before = _version(api)
    error = error_of(_load(api, files), 422)
    assert message in error["fields"].get(key, ""), error["fields"]
    assert _version(api) == before


def test_hours_ending_at_24_00_load_and_the_ingest_reads_them(api: Api) -> None:
    permit = features(demo_files()["permits.geojson"])[0]
    files = {"permits.geojson": geojson({**permit, "properties": {**permit["properties"],
                                                                  "hours": ["20:00-24:00", "00:00-06:00"]}})}
    assert _load(api, files).status_code == 200
    sent = api.post("/gps/positions", "admin", {"positions": [{
        "device_id": "DEV-NOBODY-24", "recorded_at": api.deps.clock.now().isoformat(), "lon": 117.65, "lat": 24.51}]})
    assert sent.status_code == 200, sent.json  # the registry's cache reads the hours back
    _load(api, {"permits.geojson": geojson(permit)})  # the demo permit's own hours again


def test_a_load_holds_the_other_loads_off_before_it_checks(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    checks = registry.check_references

    def checking(*args: Any) -> None:  # the real checks, asked first whether another load could start now
        seen.append(another_load_may_start(api.deps.db, REGISTRY_LOCK_KEY))
        checks(*args)

    monkeypatch.setattr(registry, "check_references", checking)
    assert another_load_may_start(api.deps.db, REGISTRY_LOCK_KEY)  # no load running: free
    assert _load(api, {"companies.csv": COMPANY_HEADER + "ZT93,加锁公司,,,,1\n"}).status_code == 200
    assert seen == [False]  # while the load checked and wrote, a second one would have waited
    assert another_load_may_start(api.deps.db, REGISTRY_LOCK_KEY)  # and it let go at its commit


def test_only_admins_load_and_the_centre_reads(api: Api) -> None:
    files = {"companies.csv": COMPANY_HEADER + "ZT91,某公司,,,,1\n"}
    before = _version(api)
    for user in ("seat01", "supervisor01", "auditor01", "dept_c01_01", "collector001"):
        assert _load(api, files, user).status_code == 403, user
    assert _version(api) == before
    with pytest.raises(NotAllowed):  # the command refuses too: the page and the command line share it
        api.bus.handle(LoadTransportRegistry(files, "supervisor01"))
    with pytest.raises(NotAllowed):
        api.bus.handle(LoadTransportRegistry(files, "nobody-at-all"))
    assert api.get("/transport/vehicles?company=ZT02", "dept_c04_01").status_code == 200
    assert api.get("/transport/vehicles?company=ZT02", "dept_c01_01").status_code == 403  # not a supervising one
    assert api.get("/transport/vehicles", "collector001").status_code == 403
    assert error_of(api.get("/transport/vehicles?company=bad code", "admin"), 422)["fields"] == {
        "company": "must be a company code"}
    assert error_of(_load(api, {}), 422)["fields"]


def test_the_admin_page_lists_and_loads(api: Api) -> None:
    assert Browser(api, "supervisor01").get("/admin/transport").status_code == 403
    admin = Browser(api, "admin")
    page = admin.get("/admin/transport")
    assert page.status_code == 200 and "ZTHZ-2026-001" in page.text and 'id="vehicle-' in page.text
    depot_row = page.text.split('id="site-DEP01"', 1)[1].split("</tr>", 1)[0]
    assert "停车场" in depot_row and "ZT01" in depot_row and "鑫达" in depot_row
    before = _version(api)
    broken = io.BytesIO((VEHICLE_HEADER + "闽EE9902,ZT55,DEV-99902,1\n").encode())
    refused = admin.client.post("/admin/transport", data={"csrf_token": admin.token, "vehicles": (broken, "v.csv")},
                                content_type="multipart/form-data")
    assert refused.status_code == 422 and "vehicles.csv: row 2: company_code" in refused.text
    assert _version(api) == before
    good = io.BytesIO((COMPANY_HEADER + "ZT92,页面公司,,,,1\n").encode())
    loaded = admin.client.post("/admin/transport", data={"csrf_token": admin.token, "companies": (good, "x.csv")},
                               content_type="multipart/form-data")
    assert loaded.status_code == 302
    assert "ZT92" in admin.get("/admin/transport").text


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "transport", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_loads_lists_and_exits_2_when_refused(api: Api, tmp_path: Path) -> None:
    loaded = _cli(api.url, "load", str(ROOT / "config" / "city" / "zhangzhou" / "transport"), "--as", "admin")
    assert loaded.returncode == 0, loaded.stderr
    assert [line.split(":")[0] for line in loaded.stdout.splitlines()] == ["companies", "vehicles", "sites",
                                                                           "permits"]
    bad = tmp_path / "vehicles.csv"
    bad.write_text(VEHICLE_HEADER + "闽EE9903,ZT66,DEV-99903,1\n", "utf-8")
    before = _version(api)
    refused = _cli(api.url, "load", str(bad), "--as", "admin")
    assert refused.returncode == 2 and "vehicles.csv: row 2: company_code: no company 'ZT66'" in refused.stderr
    not_admin = _cli(api.url, "load", str(bad), "--as", "seat01")
    assert not_admin.returncode == 2 and "may not load" in not_admin.stderr
    assert _version(api) == before
    listed = _cli(api.url, "list", "vehicles", "--company", "ZT02", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["vehicles"]
    assert rows and {r["company_code"] for r in rows} == {"ZT02"}
    sites = _cli(api.url, "list", "sites").stdout.splitlines()
    assert sites[0] == "code\tname\tkind\tcompany_code" and "DEP01\t鑫达车队停车场\tdepot\tZT01" in sites
    table = _cli(api.url, "list", "permits").stdout.splitlines()
    assert table[0].startswith("code\tcompany_code") and any(line.startswith("ZTHZ-2026-001\t") for line in table)
