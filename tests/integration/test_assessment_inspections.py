"""Assessment inspections (考评检查) through the API on SQLite and PostgreSQL: the inspection's row kept by its case
(case, task group, state, score, who and when), items recorded (again: replaced), the visit finished through the task
API and refused while an item or a photo is missing, a failed item's rectification case, another group's inspector
refused as not found, 409 once closed, 422 naming each field with nothing written, photos only the case's uploads,
the lists and the sheet, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import Api, error_of
from inspection_api_support import (
    INSPECTOR,
    OTHER_INSPECTOR,
    READER,
    post_item,
    record_visit,
    rows,
    start_inspection,
    upload,
    visit_task,
)


@pytest.fixture
def inspection(api: Api) -> dict[str, Any]:
    """One open inspection of a community in 350602, its case started."""
    return start_inspection(api)


def results(api: Api, inspection: dict[str, Any]) -> list[Any]:
    return rows(api, "SELECT visit, item_code, result, deduction, deduction_code, note, photos_json, case_id"
                " FROM assessment_results WHERE inspection_id = :id ORDER BY visit, item_code",
                id=inspection["inspection_id"])


def test_an_inspection_recorded_and_finished_through_the_api(api: Api, inspection: dict[str, Any]) -> None:
    (row,) = rows(api, "SELECT * FROM assessment_inspections WHERE id = :id", id=inspection["inspection_id"])
    assert (row.case_id, row.task_group, row.state, row.visits) == (
        inspection["case_id"], "collector:350602", "open", 0)
    task = visit_task(api, inspection)
    assert task["bpmn_id"] == "inspect_object"
    refused = error_of(api.post(f"/tasks/{task['id']}/complete", INSPECTOR, {"data": {}}), 422)
    assert set(refused["fields"]) == {f"items.{inspection['items'][0]['code']}"}
    photo = upload(api, inspection["case_no"])
    record_visit(api, inspection, {}, photo)
    response = api.post(f"/tasks/{task['id']}/complete", INSPECTOR, {"data": {}})
    assert response.status_code == 200, response.json
    (row,) = rows(api, "SELECT * FROM assessment_inspections WHERE id = :id", id=inspection["inspection_id"])
    assert (row.state, row.score, row.deducted, row.failed_items, row.visits, row.inspected_by) == (
        "closed", 100.0, 0.0, 0, 1, INSPECTOR)
    assert row.inspected_at is not None and row.closed_at is not None
    sheet = api.get(f"/assessment/inspections/{inspection['inspection_id']}", READER).json
    assert (sheet["task"], sheet["visit"], sheet["score"], sheet["case_no"]) == (None, None, 100.0,
                                                                                  inspection["case_no"])
    assert all(len(item["results"]) == 1 for item in sheet["items"])
    closed = error_of(post_item(api, inspection, inspection["items"][0]["code"]), 409)  # 409 once closed
    assert closed["message"]
    events = rows(api, "SELECT COUNT(*) AS n FROM case_events WHERE case_id = :id"
                  " AND event_type = 'assessment_item_recorded'", id=inspection["case_id"])
    assert events[0].n == len(inspection["items"])


def test_a_failed_item_opens_its_rectification_case(api: Api, inspection: dict[str, Any]) -> None:
    photo = upload(api, inspection["case_no"])
    failing = next(i for i in inspection["items"] if i["photo"] == "on_fail" and i.get("deductions"))
    preset = failing["deductions"][0]
    record_visit(api, inspection, {}, photo)
    response = post_item(api, inspection, failing["code"], "fail", deduction_code=preset["code"], note="桶数不足",
                         photos=[photo])
    assert response.status_code == 200 and response.json["deduction"] == preset["points"]
    task = visit_task(api, inspection)
    assert api.post(f"/tasks/{task['id']}/complete", INSPECTOR, {"data": {}}).status_code == 200
    (row,) = rows(api, "SELECT state, score, deducted, failed_items FROM assessment_inspections WHERE id = :id",
                  id=inspection["inspection_id"])
    total = sum(i["points"] for i in inspection["items"])
    assert (row.state, row.deducted, row.failed_items) == ("rectifying", preset["points"], 1)
    assert row.score == round(100 * (total - preset["points"]) / total, 1)
    (result,) = [r for r in results(api, inspection) if r.case_id is not None]
    (case,) = rows(api, "SELECT channel, subtype, case_no FROM case_summaries WHERE case_id = :id",
                   id=result.case_id)
    assert (case.channel, case.subtype) == ("assessment", failing["subtype"])
    shared = rows(api, "SELECT sha256 FROM attachments WHERE case_id = :id", id=result.case_id)
    assert [r.sha256 for r in shared] == [photo]
    sheet = api.get(f"/assessment/inspections/{inspection['inspection_id']}", INSPECTOR).json
    assert (sheet["visit"], sheet["task"]["bpmn_id"]) == (1, "reinspect_object")
    item = next(i for i in sheet["items"] if i["code"] == failing["code"])
    assert item["current"] and item["results"][0]["case_no"] == case.case_no
    assert [i["code"] for i in sheet["items"] if i["current"]] == [failing["code"]]


def test_another_groups_inspector_finds_nothing(api: Api, inspection: dict[str, Any]) -> None:
    code = inspection["items"][0]["code"]
    error_of(post_item(api, inspection, code, user=OTHER_INSPECTOR), 404)
    error_of(api.get(f"/assessment/inspections/{inspection['inspection_id']}", OTHER_INSPECTOR), 404)
    error_of(post_item(api, inspection, code, user=READER), 403)  # readers read, inspectors record
    mine = {i["id"] for i in api.get("/assessment/inspections", INSPECTOR).json["inspections"]}
    theirs = {i["id"] for i in api.get("/assessment/inspections", OTHER_INSPECTOR).json["inspections"]}
    everyone = {i["id"] for i in api.get(f"/assessment/inspections?round_id={inspection['round_id']}&state=open",
                                         READER).json["inspections"]}
    assert inspection["inspection_id"] in mine & everyone and inspection["inspection_id"] not in theirs
    assert api.get("/assessment/inspections?mine=1", READER).json["inspections"] == []
    assert error_of(api.get("/assessment/inspections?state=maybe", READER), 422)["fields"].keys() == {"state"}
    error_of(api.get("/assessment/inspections", "designer01"), 403)
    assert results(api, inspection) == []


@pytest.mark.parametrize(("fields", "named"), [
    ({"item_code": "NOPE"}, "item_code"), ({"result": "maybe"}, "result"), ({"deduction": 99}, "deduction"),
    ({"deduction": 0}, "deduction"), ({"deduction_code": "NOPE"}, "deduction_code"), ({"note": "长" * 501}, "note"),
    ({"photos": ["0" * 64]}, "photos.0"), ({"photos": ["x"]}, "photos.0"), ({"surprise": 1}, "surprise"),
    ({"result": "pass", "deduction": 3}, "deduction")])
def test_each_bad_field_is_named_and_nothing_written(api: Api, inspection: dict[str, Any], fields: dict[str, Any],
                                                     named: str) -> None:
    code = inspection["items"][0]["code"]
    body = {"item_code": code, "result": "fail", **fields}
    events = rows(api, "SELECT COUNT(*) AS n FROM case_events WHERE case_id = :id", id=inspection["case_id"])
    refused = error_of(api.post(f"/assessment/inspections/{inspection['inspection_id']}/items", INSPECTOR, body),
                       422)
    assert named in refused["fields"]
    assert results(api, inspection) == []
    assert rows(api, "SELECT COUNT(*) AS n FROM case_events WHERE case_id = :id", id=inspection["case_id"]) == events


def test_photos_are_the_inspections_uploads_and_a_record_again_replaces(api: Api,
                                                                        inspection: dict[str, Any]) -> None:
    elsewhere = upload(api, rows(api, "SELECT case_no FROM case_summaries WHERE case_id = :id",
                                 id=inspection["round_case"])[0].case_no, "seat01", shade=3)
    code = inspection["items"][0]["code"]
    refused = error_of(post_item(api, inspection, code, "fail", photos=[elsewhere]), 422)
    assert set(refused["fields"]) == {"photos.0"}
    photo = upload(api, inspection["case_no"])
    assert post_item(api, inspection, code, "fail", deduction=2.5, photos=[photo, photo]).status_code == 200
    assert post_item(api, inspection, code, "pass", note="已整改到位").status_code == 200
    (row,) = results(api, inspection)
    assert (row.visit, row.item_code, row.result, row.deduction, row.note, row.photos_json) == (
        0, code, "pass", 0.0, "已整改到位", "[]")
    first = post_item(api, inspection, code, "fail", deduction=2.5, photos=[photo, photo]).json
    assert (first["deduction"], first["photos"]) == (2.5, [photo])


def test_a_reinspection_takes_only_the_failed_items_pass_or_fail(api: Api, inspection: dict[str, Any]) -> None:
    photo = upload(api, inspection["case_no"])
    failing, passing = inspection["items"][0]["code"], inspection["items"][1]["code"]
    record_visit(api, inspection, {failing: "fail"}, photo)
    assert api.post(f"/tasks/{visit_task(api, inspection)['id']}/complete", INSPECTOR, {"data": {}}).status_code == 200
    assert set(error_of(post_item(api, inspection, passing), 422)["fields"]) == {"item_code"}
    assert set(error_of(post_item(api, inspection, failing, "na"), 422)["fields"]) == {"result"}
    assert post_item(api, inspection, failing, "pass").status_code == 200
    task = visit_task(api, inspection)
    assert task["bpmn_id"] == "reinspect_object"
    assert api.post(f"/tasks/{task['id']}/complete", INSPECTOR, {"data": {}}).status_code == 200
    (row,) = rows(api, "SELECT state, visits FROM assessment_inspections WHERE id = :id",
                  id=inspection["inspection_id"])
    assert (row.state, row.visits) == ("closed", 2)


def test_the_routes_are_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/assessment/inspections"]) == {"get"}
    assert set(paths["/assessment/inspections/{inspection_id}"]) == {"get"}
    post = paths["/assessment/inspections/{inspection_id}/items"]["post"]
    assert {"409", "422", "404"} <= set(post["responses"]) and "requestBody" in post
