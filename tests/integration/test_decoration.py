"""Decoration works (室内装修工程) on SQLite and PostgreSQL, through the API: a works registered (its place filled
from the city's grids, its code, its case and row), refusals naming their fields with nothing written, the removal
linked to a transport permit (bad permits refused), the row following its case (in progress, cancelled), an
inspection that finds waste piled opening a 0603 case linked to the works, a new waste case near a works without a
removal linked to it (with an event in the works case's log), and who may do what."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from api_support import Api, error_of, png_bytes
from decoration_support import MODEL_FILES, OFFICE, ROOT, body, permit, register, rows, today
from pages_support import Browser

from engine.domain import commands as c
from engine.scheduling.scheduler import TimerScheduler
from engine.service.deploy import read_sources


@pytest.fixture
def deployed(api: Api) -> Iterator[Api]:
    """The app with the decoration works' model deployed."""
    api.bus.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    yield api


def started(api: Api) -> None:
    """Fire the works' due timers (today's works start at today's midnight): in progress, inspections ready."""
    TimerScheduler(api.bus).fire_due()


def test_a_works_registered_with_its_place_code_case_and_row(deployed: Api) -> None:
    api = deployed
    tomorrow = (today() + timedelta(days=1)).isoformat()
    found = register(api, 117.65, 24.51, starts_on=tomorrow)
    assert found["code"].startswith("ZX" + today().strftime("%Y%m%d")) and len(found["code"]) == 14
    assert found["district_code"] == "350602" and found["grid_code"] and found["case_no"]
    second = register(api, 117.6502, 24.5102, starts_on=tomorrow)
    assert int(second["code"][-4:]) == int(found["code"][-4:]) + 1
    shown = api.get(f"/decoration-works/{found['code']}", "auditor01").json
    assert (shown["state"], shown["office_group"], shown["removal"]) == ("registered", "350602-D02", None)
    assert shown["owner_phone"] == "13905961234" and shown["starts_on"] == tomorrow
    task = api.task(found["case_no"], "arrange_waste_removal", OFFICE)
    assert task["candidate_group"] == "350602-D02"
    listed = api.get("/decoration-works?state=registered&district=350602", "collector001").json["works"]
    assert found["code"] in {w["code"] for w in listed}
    assert error_of(api.get("/decoration-works?state=maybe", "seat01"), 422)["fields"] == {"state": "one of "
                                                                                            + ", ".join(
        ("registered", "in_progress", "finished", "cancelled"))}
    error_of(api.get("/decoration-works/ZX000", "seat01"), 404)


@pytest.mark.parametrize(("overrides", "fields"), [
    ({"owner_phone": "12345"}, {"owner_phone"}),
    ({"ends_on": "2020-01-01"}, {"ends_on"}),
    ({"ends_on": (date(2027, 1, 1) + timedelta(days=400)).isoformat(), "starts_on": "2027-01-01"}, {"ends_on"}),
    ({"expected_waste_m3": -1}, {"expected_waste_m3"}),
    ({"expected_waste_m3": 10_001}, {"expected_waste_m3"}),
    ({"address": " ", "owner_name": "", "contractor": "x" * 201}, {"address", "owner_name", "contractor"}),
    ({"lon": 116.0, "lat": 23.0}, {"lon", "lat"}),  # outside the city's grids
    ({"lon": 181}, {"lon"}),
    ({"starts_on": "soon"}, {"starts_on"}),
])
def test_refusals_name_their_fields_and_write_nothing(deployed: Api, overrides: dict[str, Any],
                                                      fields: set[str]) -> None:
    before = rows(deployed, "SELECT COUNT(*) AS n FROM decoration_works")[0].n
    cases = rows(deployed, "SELECT COUNT(*) AS n FROM cases")[0].n
    refused = error_of(deployed.post("/decoration-works", "seat01", {**body(117.66, 24.52), **overrides}), 422)
    assert set(refused["fields"]) == fields
    assert rows(deployed, "SELECT COUNT(*) AS n FROM decoration_works")[0].n == before
    assert rows(deployed, "SELECT COUNT(*) AS n FROM cases")[0].n == cases


def test_the_removal_needs_a_permit_that_serves(deployed: Api) -> None:
    api = deployed
    works = register(api, 117.655, 24.512)
    code = works["code"]
    bad = {permit(api, f"P-REVOKED-{code}", state="revoked"): "revoked",
           permit(api, f"P-SHORT-{code}", valid_days=(-30, 3)): "not over the works' period",
           permit(api, f"P-IDLE-{code}", company_active=False): "is not active",
           "P-NONE": "no transport permit"}
    for permit_code, why in bad.items():
        refused = error_of(api.post(f"/decoration-works/{code}/removal", OFFICE, {"permit_code": permit_code}), 422)
        assert why in refused["fields"]["permit_code"]
    assert api.get(f"/decoration-works/{code}", "seat01").json["removal"] is None
    good = permit(api, f"P-GOOD-{code}")
    done = api.post(f"/decoration-works/{code}/removal", OFFICE, {"permit_code": good})
    assert done.status_code == 200, done.json
    shown = api.get(f"/decoration-works/{code}", "seat01").json
    assert shown["removal"]["permit_code"] == good and shown["removal"]["company_code"] == f"CO-{good}"
    assert shown["removal"]["registered_at"]
    tasks = rows(api, "SELECT state FROM human_tasks WHERE case_id = :id AND bpmn_id = 'arrange_waste_removal'",
                 id=works["case_id"])
    assert [t.state for t in tasks] == ["cancelled"]
    error_of(api.post(f"/decoration-works/{code}/removal", OFFICE, {"permit_code": good}), 409)
    error_of(api.post("/decoration-works/ZX000/removal", OFFICE, {"permit_code": good}), 404)


def test_a_piled_inspection_opens_a_case_linked_to_the_works(deployed: Api) -> None:
    api = deployed
    works = register(api, 117.645, 24.515)  # registered on its first day: started at once
    assert api.get(f"/decoration-works/{works['code']}", "seat01").json["state"] == "in_progress"
    task = api.task(works["case_no"], "inspect_works", "collector001")
    photo = api.client.post(f"/api/v1/cases/{works['case_no']}/attachments", headers=api.headers("collector001"),
                            data={"file": (io.BytesIO(png_bytes(3, 2)), "楼道.png")})
    assert photo.status_code == 201, photo.json
    inspection = {"result": "piled", "note": "楼道堆放约 3 方", "photos": [photo.json["sha256"]]}
    done = api.complete(task["id"], {"inspection": inspection}, "collector001")
    assert done.status_code == 200, done.json
    shown = api.get(f"/decoration-works/{works['code']}", "seat01").json
    assert [(i["result"], i["by"], i["photos"]) for i in shown["inspections"]] == [
        ("piled", "collector001", [photo.json["sha256"]])]
    (link,) = shown["linked_cases"]
    assert link["subtype"] == "0603" and "waste piled without removal" in link["reason"]
    case = api.get(f"/cases/{link['case_no']}", "seat01").json
    assert (case["channel"], case["subtype"], case["district"]) == ("patrol", "0603", "350602")
    assert works["code"] in case["description"] and "楼道堆放约 3 方" in case["description"]
    assert "verify_report" not in {t["bpmn_id"] for t in case["tasks"]}  # a collector's own finding: no 核实
    evidence = api.client.get(f"/api/v1/cases/{link['case_no']}/attachments/{photo.json['sha256']}",
                              headers=api.headers("seat01"))  # the photo is the new case's attachment too
    found, served = evidence.status_code, evidence.data
    evidence.close()  # the file the response streams
    assert found == 200 and served == png_bytes(3, 2)
    for case_no in (works["case_no"], link["case_no"]):  # both replay: the inspection's step and the case it opened
        verified = api.post(f"/cases/{case_no}/replay/verify", "auditor01")
        assert verified.status_code == 200 and verified.json["verified"] is True, verified.json


def test_a_waste_case_near_a_works_without_removal_is_linked(deployed: Api) -> None:
    api = deployed
    works = register(api, 117.635, 24.505)
    removed = register(api, 117.6352, 24.5052)
    api.post(f"/decoration-works/{removed['code']}/removal", OFFICE,
             {"permit_code": permit(api, f"P-NEAR-{removed['code']}")})
    started(api)
    near = api.new_case(subtype_code="0603", lon=117.6355, lat=24.5053)  # about 60 m from both
    far = api.new_case(subtype_code="0603", lon=117.64, lat=24.505)  # about 500 m away
    other = api.new_case(subtype_code="0601", lon=117.635, lat=24.5051)  # not waste of works
    dumped = api.new_case(subtype_code="0809", lon=117.6349, lat=24.5047)  # 建筑垃圾乱倒, about 35 m away
    links = api.get(f"/decoration-works/{works['code']}", "seat01").json["linked_cases"]
    assert [(link["case_no"], link["subtype"]) for link in links] == [(near, "0603"), (dumped, "0809")]
    assert far not in {link["case_no"] for link in links} and other not in {link["case_no"] for link in links}
    assert api.get(f"/decoration-works/{removed['code']}", "seat01").json["linked_cases"] == []
    events = rows(api, "SELECT data FROM case_events WHERE case_id = :id AND event_type = 'decoration_case_linked'"
                  " ORDER BY seq", id=works["case_id"])
    assert [json.loads(e.data)["case_no"] for e in events] == [near, dumped]
    verified = api.post(f"/cases/{works['case_no']}/replay/verify", "auditor01")  # the link's step replays
    assert verified.status_code == 200 and verified.json["verified"] is True, verified.json


def test_cancelled_by_its_office_only(deployed: Api) -> None:
    api = deployed
    works = register(api, 117.652, 24.508)
    code = works["code"]
    error_of(api.post(f"/decoration-works/{code}/cancel", "dept_350603d02_01", {"reason": "x"}), 403)
    assert set(error_of(api.post(f"/decoration-works/{code}/cancel", OFFICE, {"reason": " "}), 422)["fields"]) == {
        "reason"}
    assert api.post(f"/decoration-works/{code}/cancel", OFFICE, {"reason": "业主取消装修"}).status_code == 200
    shown = api.get(f"/decoration-works/{code}", "seat01").json
    assert (shown["state"], shown["cancel_reason"], shown["office_group"]) == ("cancelled", "业主取消装修",
                                                                               "350602-D02")
    error_of(api.post(f"/decoration-works/{code}/cancel", OFFICE, {"reason": "again"}), 409)


@pytest.mark.parametrize(("user", "status"), [("seat01", 201), ("collector001", 201), (OFFICE, 201), ("admin", 201),
                                              ("auditor01", 403), ("supervisor01", 403), ("dispatcher01", 403)])
def test_who_registers(deployed: Api, user: str, status: int) -> None:
    response = deployed.post("/decoration-works", user, body(117.657, 24.514))
    assert response.status_code == status, response.json


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "decoration", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_registers_lists_and_exits_2_when_refused(deployed: Api) -> None:
    start = (today() + timedelta(days=2)).isoformat()
    common = ["--address", "龙文区建元东路 6 号", "--lon", "117.659", "--lat", "24.516", "--owner", "陈女士",
              "--contractor", "闽南装修队", "--starts-on", start, "--ends-on", start, "--waste-m3", "3",
              "--as", "seat01"]
    done = _cli(deployed.url, "register", "--phone", "0596-2345678", *common)
    assert done.returncode == 0, done.stderr
    code = json.loads(done.stdout)["code"]
    refused = _cli(deployed.url, "register", "--phone", "110", *common)
    assert refused.returncode == 2 and "owner_phone" in refused.stderr
    listed = _cli(deployed.url, "list", "--state", "registered", "--json")
    assert code in {w["code"] for w in json.loads(listed.stdout)["works"]}
    assert _cli(deployed.url, "removal", code, "P-NONE", "--as", OFFICE).returncode == 2


def test_the_pages_list_register_and_show_a_works(deployed: Api) -> None:
    api = deployed
    assert Browser(api, "designer01").get("/decoration").status_code == 403
    office = Browser(api, OFFICE)
    listed = office.get("/decoration")
    assert listed.status_code == 200 and 'id="decoration-register"' in listed.text
    form = {**{k: str(v) for k, v in body(117.653, 24.509).items()}, "owner_phone": "12", "csrf_token": office.token}
    refused = office.client.post("/decoration", data=form)
    assert refused.status_code == 422 and 'data-field="owner_phone"' in refused.text
    done = office.client.post("/decoration", data={**form, "owner_phone": "13800001111"})
    assert done.status_code == 302, done.text
    code = done.headers["Location"].rsplit("/", 1)[1]
    page = office.get(f"/decoration/{code}")
    assert page.status_code == 200 and 'id="removal-form"' in page.text and "13800001111" in page.text
    bad = office.client.post(f"/decoration/{code}/removal", data={"permit_code": "P-NONE",
                                                                  "csrf_token": office.token})
    assert bad.status_code == 422 and 'data-field="permit_code"' in bad.text
    good = permit(api, f"P-PAGE-{code}")
    assert office.client.post(f"/decoration/{code}/removal", data={"permit_code": good,
                                                                   "csrf_token": office.token}).status_code == 302
    shown = Browser(api, "auditor01").get(f"/decoration/{code}")
    assert good in shown.text and 'id="removal-form"' not in shown.text and 'id="cancel-form"' not in shown.text
    assert code in Browser(api, "collector001").get("/decoration?district=350602").text
