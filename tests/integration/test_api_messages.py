"""BPMN messages through the API: a camera's ``video_detection`` from an integration client starts a case on the
video channel; only integration clients and admins may send messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import POINT, Api, error_of

from engine.domain import commands as c
from engine.service.accounts import principal

VISION, VISION_PASSWORD = "vision", "password123"


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Api]:
    """The app, with the integration client ``vision`` signed in (created once per database)."""
    api = Api(city, tmp_path)
    if principal(api.deps, VISION) is None:
        api.bus.handle(c.AddUser(VISION, "Vision", "integration", VISION_PASSWORD))
    api.token(VISION, VISION_PASSWORD)
    yield api
    api.close()


def _detection(**fields: Any) -> dict[str, Any]:
    return {"name": "video_detection", "payload": {"detection": {
        "camera_id": "cam-0042", "subtype": "0601", **POINT, "image": "ab" * 32, "confidence": 0.93, **fields}}}


def test_a_camera_detection_from_an_integration_client_starts_a_video_case(api: Api) -> None:
    sent = api.post("/messages", VISION, _detection())
    assert sent.status_code == 200, sent.json
    (case_no,) = sent.json["cases"]
    case = api.get(f"/cases/{case_no}", VISION)
    assert case.status_code == 200, case.json
    assert case.json["channel"] == "video" and case.json["subtype"] == "0601" and case.json["district"] == "350602"
    assert case.json["status"] == "running" and case.json["description"] == "视频智能发现"
    (review,) = case.json["tasks"]
    assert review["bpmn_id"] == "review_detection" and review["candidate_group"] == "seat_operator"
    report = api.get(f"/tasks/{review['id']}", "seat01").json["data"]["report"]
    assert report["reporter"] == "cam-0042" and report["evidence"] == ["ab" * 32]
    events = api.get(f"/cases/{case_no}/events", "auditor01").json["events"]
    assert events[0]["event_type"] == "case_started" and events[0]["actor"] == VISION
    assert events[0]["actor_kind"] == "api_client" and events[0]["command"] == "start_case"
    api.step(case_no, "review_detection", "seat01", {"detection_review": {"decision": "confirm"}})
    assert [t["bpmn_id"] for t in api.get(f"/cases/{case_no}", VISION).json["tasks"]] == ["file_or_void"]


def test_a_detection_sent_twice_with_the_same_external_id_is_one_case(api: Api) -> None:
    first = api.post("/messages", VISION, {**_detection(), "external_id": "cam-0042/frame-1"})
    again = api.post("/messages", VISION, {**_detection(), "external_id": "cam-0042/frame-1"})
    other = api.post("/messages", VISION, {**_detection(), "external_id": "cam-0042/frame-2"})
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.json["cases"] == again.json["cases"] and len(first.json["cases"]) == 1
    assert other.json["cases"] != first.json["cases"]


def test_only_integration_clients_and_admins_send_messages(api: Api) -> None:
    for user in ("seat01", "shiftlead01", "dispatcher01", "auditor01", "collector001", "dept_350602s07_01"):
        assert error_of(api.post("/messages", user, _detection()), 403)["code"] == "forbidden", user
    error_of(api.client.post("/api/v1/messages", json=_detection()), 401)
    assert api.post("/messages", "admin", _detection()).status_code == 200


def test_an_integration_client_reads_cases_but_does_not_work_tasks(api: Api) -> None:
    case_no = api.new_case(VISION, channel="video")
    review = api.get(f"/cases/{case_no}", VISION).json["tasks"][0]
    assert review["bpmn_id"] == "review_detection"
    assert api.post(f"/tasks/{review['id']}/claim", VISION).status_code in (403, 404)
    assert api.complete(review["id"], {"detection_review": {"decision": "confirm"}}, VISION).status_code in (403, 404)
    assert api.get(f"/tasks/{review['id']}", "seat01").json["assignee"] is None


def test_bad_messages_are_refused_naming_the_field(api: Api) -> None:
    assert "name" in error_of(api.post("/messages", VISION, {"payload": {}}), 422)["fields"]
    assert "extra" in error_of(api.post("/messages", VISION, {**_detection(), "extra": 1}), 422)["fields"]
    assert "payload" in error_of(api.post("/messages", VISION, {"name": "video_detection", "payload": [1]}),
                                 422)["fields"]
    unknown = error_of(api.post("/messages", VISION, {"name": "no_such_message", "payload": {}}), 404)
    assert "name" in unknown["fields"]
    not_an_object = {"name": "video_detection", "payload": {"detection": "cam-0042"}}
    assert error_of(api.post("/messages", VISION, not_an_object), 422)["fields"] == \
        {"detection": "detection must be an object"}
    nowhere = error_of(api.post("/messages", VISION, _detection(lat="north")), 422)
    assert "detection.lat" in nowhere["fields"]  # ReportDetection's check names it, before the lifecycle runs


def test_a_detection_without_its_detection_object_is_422_naming_detection(api: Api) -> None:
    """Known bug: the script fails with NameError ('detection' is not defined) and no field is named."""
    refused = error_of(api.post("/messages", VISION, {"name": "video_detection", "payload": {}}), 422)
    assert "detection" in refused.get("fields", {}), refused
    assert "NameError" not in refused["message"]
