"""Starting any deployed process through the API (SQLite and PostgreSQL): ``POST /processes/{id}/cases`` starts
the newest version for one of its starters (201), refuses data its start form refuses naming the field (422,
nothing written), an unknown process (404) and a caller who is not a starter (403); the list of startable
processes and the designer's process list show the starter groups; a case of that process runs to its end
through the task API, each task worked by its own group."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import Api, error_of
from start_support import (
    APPLICATION,
    INSPECTOR,
    NOT_STARTERS,
    OPEN_PROCESS,
    PROCESS,
    REVIEWER,
    STARTER,
    deploy,
    deploy_both,
    fixture_files,
)

from engine.service.audit.export import export_case, verify_document


def count_cases(api: Api, process_id: str) -> int:
    engine = sa.create_engine(api.url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT COUNT(*) FROM cases WHERE process_id = :p"),
                                    {"p": process_id}).scalar_one())
    finally:
        engine.dispose()


def start(api: Api, user: str, data: Any, process_id: str = PROCESS) -> Any:
    return api.post(f"/processes/{process_id}/cases", user, {"data": data})


def test_a_starter_starts_the_process_and_each_group_works_its_task_to_the_end(api: Api) -> None:
    deploy(api)
    started = start(api, STARTER, APPLICATION)
    assert started.status_code == 201, started.json
    case = started.json
    assert case["process_id"] == PROCESS and case["status"] == "running" and case["case_no"]
    assert [t["bpmn_id"] for t in case["tasks"]] == ["review_application"]
    assert case["subtype"] is None and case["department"] is None  # no lifecycle facts, and none needed

    api.step(case["case_no"], "review_application", REVIEWER, {"review": {"approved": True, "note": "同意"}})
    inspect = api.task(case["case_no"], "inspect_site", INSPECTOR)
    assert inspect["candidate_group"] == "350602-D02"
    assert api.complete(inspect["id"], {"inspection": {"compliant": True}}, INSPECTOR).status_code == 200

    done = api.get(f"/cases/{case['case_no']}", "admin")
    assert done.status_code == 200 and done.json["status"] == "completed" and done.json["tasks"] == []
    events = api.get(f"/cases/{case['case_no']}/events", "admin").json["events"]
    first = events[0]
    assert first["event_type"] == "case_started" and first["actor"] == STARTER
    assert first["data"]["data"] == APPLICATION and first["data"]["process_id"] == PROCESS
    assert [e["actor"] for e in events if e["event_type"] == "task_completed"] == [REVIEWER, INSPECTOR]
    verified = api.post(f"/cases/{case['case_no']}/replay/verify", "auditor01")  # the replay re-runs it
    assert verified.status_code == 200 and verified.json["verified"], verified.json
    assert verified.json["events"] == len(events)
    # an export is verified from the file alone: the version's hash is recomputed over spec, forms and starters
    exported = export_case(api.deps, case["id"], api.deps.clock.now())
    assert verify_document(json.loads(json.dumps(exported))).verified


@pytest.mark.parametrize(("data", "field"), [
    ({}, "application"),
    ({"application": {**APPLICATION["application"], "days": 0}}, "application.days"),
    ({"application": {"applicant": "x", "road": "y", "days": 2, "colour": "red"}}, "application.colour"),
    ([1, 2], "data"),
])
def test_data_the_start_form_refuses_is_422_naming_the_field_and_nothing_is_written(api: Api, data: Any,
                                                                                   field: str) -> None:
    deploy(api)
    before = count_cases(api, PROCESS)
    error = error_of(start(api, STARTER, data), 422)
    assert field in error["fields"], error
    assert count_cases(api, PROCESS) == before


def test_an_unknown_process_is_404(api: Api) -> None:
    error = error_of(start(api, "admin", {}, "no_such_process"), 404)
    assert "no_such_process" in error["message"]


@pytest.mark.parametrize("user", NOT_STARTERS)
def test_a_caller_who_is_not_a_starter_is_403_and_nothing_is_written(api: Api, user: str) -> None:
    deploy(api)
    before = count_cases(api, PROCESS)
    error = error_of(start(api, user, APPLICATION), 403)
    assert "seat_operator, shift_lead" in error["message"], error
    assert count_cases(api, PROCESS) == before


def test_a_process_naming_no_starters_is_started_by_admins_and_designers_only(api: Api) -> None:
    deploy_both(api)
    for user in ("admin", "designer01"):
        assert start(api, user, APPLICATION, OPEN_PROCESS).status_code == 201
    for user in (STARTER, REVIEWER, INSPECTOR):
        error_of(start(api, user, APPLICATION, OPEN_PROCESS), 403)


def startable(api: Api, user: str) -> dict[str, dict[str, Any]]:
    response = api.get("/processes/startable", user)
    assert response.status_code == 200, response.json
    return {p["process_id"]: p for p in response.json["processes"]}


def test_each_caller_lists_only_the_processes_it_may_start(api: Api) -> None:
    deploy_both(api)
    seat = startable(api, STARTER)
    assert PROCESS in seat and OPEN_PROCESS not in seat and "case_lifecycle" not in seat
    entry = seat[PROCESS]
    assert entry["starter_groups"] == ["seat_operator", "shift_lead"] and entry["number"] >= 1
    assert entry["name"].startswith("占道施工申请") and "reviewed by a shift lead" in entry["description"]
    assert entry["form"]["required"] == ["application"]
    assert PROCESS in startable(api, REVIEWER)
    assert startable(api, INSPECTOR) == {} and startable(api, "auditor01") == {}
    everything = startable(api, "admin")
    assert {PROCESS, OPEN_PROCESS, "case_lifecycle"} <= set(everything)
    assert everything[OPEN_PROCESS]["starter_groups"] is None and everything["case_lifecycle"]["form"] is None


def test_the_process_list_shows_starter_groups_and_start_forms(api: Api) -> None:
    deploy_both(api)
    listed = api.get("/processes", "designer01")
    assert listed.status_code == 200, listed.json
    found = {p["process_id"]: p for p in listed.json["processes"]}
    assert found[PROCESS]["starter_groups"] == ["seat_operator", "shift_lead"]
    assert found[PROCESS]["start_form"] == "forms/road_occupation_apply.json"
    assert found[OPEN_PROCESS]["starter_groups"] is None and found["case_lifecycle"]["starter_groups"] is None


def test_changing_only_the_starters_deploys_a_new_version_and_a_camunda_attribute_names_them(api: Api) -> None:
    process = "road_occupation_tools"
    first = deploy(api, process, "")
    assert deploy(api, process, "") == first | {"created": False}  # the same model again: no new version
    files = fixture_files(process, "")
    files[f"{process}.bpmn"] = files[f"{process}.bpmn"].replace(
        'isExecutable="true"', 'isExecutable="true" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
                               ' camunda:candidateStarterGroups="dispatcher"', 1)
    deployed = api.post("/processes/deploy", "designer01", {"files": files, "comment": "dispatchers start it"})
    assert deployed.status_code == 201, deployed.json
    [version] = deployed.json["versions"]
    assert version["number"] == first["number"] + 1 and version["sha256"] != first["sha256"]
    assert start(api, "dispatcher01", APPLICATION, process).status_code == 201
    error_of(start(api, STARTER, APPLICATION, process), 403)


def test_the_openapi_document_describes_the_start(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/processes/{process_id}/cases"]["post"]
    assert {"201", "403", "404", "422"} <= set(operation["responses"])
    assert "/processes/startable" in document["paths"]
