"""Hostile input found by the security review (issue 16 items 4, 5, 12), on SQLite and PostgreSQL: every one is a
4xx naming the field and writes nothing, where it used to be a 500 (or was accepted and broke the case later).

The property-based sweep over every API operation is ``test_hostile_property.py``; this module pins each reported
input down by name.
"""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from api_support import Api, error_of, png_bytes
from pages_support import Browser

from city.commands import RecordDetections
from city.intake.report import detection_message
from engine.domain import commands as c
from engine.domain.errors import InvalidCommand
from engine.domain.forms import FieldsRejected
from engine.persistence.read import cases as case_reads

ROOT = Path(__file__).resolve().parents[2]
DEPT = "dept_350602s07_01"
NOT_NUMBERS = ["99999999999999999999999999999", "2026120600000²", "٢٠٢٦١٢٠٦٠٠٠٠٠١", "２０２６１２０６０００００１",
               "9" * 5000]
DMN_DURATION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="t">
  <decision id="wait" name="Wait">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1" label="Span"><inputExpression id="e1" typeRef="string"><text>duration("{span}")</text>
        </inputExpression></input>
      <output id="o1" name="ok" typeRef="boolean"/>
      <rule id="any"><inputEntry id="a1"><text>-</text></inputEntry><outputEntry id="a2"><text>true</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _live_cases(api: Api) -> int:
    with api.deps.uow(read_only=True) as uow:
        return case_reads.live_case_count(uow.store)


def _detection(**fields: Any) -> dict[str, Any]:
    return {"camera_id": "cam-0042", "subtype": "0601", "lon": 117.65, "lat": 24.51, "image": "f.jpg",
            "confidence": 0.93, **fields}


def _record(**fields: Any) -> dict[str, Any]:
    return {"record_id": "r-1", "camera_id": "cam-1", "observed_at": "2026-12-01T08:00:00+08:00", "class_name": "bag",
            "score": 0.5, "x1": 0, "y1": 0, "x2": 10, "y2": 10, **fields}


def _raw(api: Api, path: str, user: str, text: str) -> Any:
    return api.client.post(f"/api/v1{path}", data=text, content_type="application/json", headers=api.headers(user))


def _report(api: Api, **fields: Any) -> Any:
    """POST /cases with an ASCII-escaped body: the test client's own encoder cannot write a lone surrogate."""
    body = {"subtype_code": "0601", "description": "暴露垃圾", "lat": 24.51, "lon": 117.65, "channel": "hotline",
            **fields}
    return _raw(api, "/cases", "seat01", json.dumps(body))


# ---- item 4: 500s from anonymous input ----

@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_a_case_number_that_is_no_number_is_404_on_every_page_and_route(api: Api, number: str) -> None:
    assert api.client.get(f"/status/{number}").status_code == 404  # anonymous: the old public page is gone
    for path in (f"/cases/{number}", f"/cases/{number}/events", f"/cases/{number}/replay"):
        error_of(api.get(path, "auditor01"), 404)
    error_of(api.post(f"/cases/{number}/replay/verify", "auditor01"), 404)
    assert Browser(api, "seat01").get(f"/cases/{number}").status_code == 404
    assert Browser(api, "auditor01").get(f"/audit/cases/{number}").status_code == 404


def test_nul_in_a_path_or_query_is_refused_naming_it(api: Api) -> None:
    refused = api.client.get("/t/abc%00")  # the citizens' tracking page (no sign-in)
    assert refused.status_code == 400 and "token must not contain NUL" in refused.text
    assert error_of(api.get("/cases/2026%00/events", "auditor01"), 422)["fields"] == {
        "case_no": "must not contain NUL (\\u0000) characters"}
    assert "group" in error_of(api.get("/tasks?group=a%00b", "shiftlead01"), 422)["fields"]
    assert Browser(api, "auditor01").get("/audit?department=%00").status_code == 400


@pytest.mark.parametrize("value", ["暴露\x00垃圾", "tail\ud800"])
@pytest.mark.parametrize("field", ["description", "reporter", "external_id"])
def test_text_no_database_keeps_is_422_naming_the_field(api: Api, field: str, value: str) -> None:
    before = _live_cases(api)
    assert set(error_of(_report(api, **{field: value}), 422)["fields"]) == {field}
    assert _live_cases(api) == before


def test_nul_anywhere_in_a_body_is_422_naming_the_field(api: Api) -> None:
    sent = api.post("/vision/detections", "admin", {"detections": [_record(class_name="bag\x00")]})
    assert set(error_of(sent, 422)["fields"]) == {"detections.0.class_name"}
    message = {"name": "video_detection", "payload": {"detection": _detection(camera_id="cam\x00")}}
    assert set(error_of(api.post("/messages", "admin", message), 422)["fields"]) == {"payload.detection.camera_id"}
    assert set(error_of(api.report(**{"odd\x00key": 1}), 422)["fields"]) == {"odd\x00key"}
    token = api.client.post("/api/v1/auth/token", json={"username": "seat01\x00", "password": "x"})
    assert set(error_of(token, 422)["fields"]) == {"username"}


def test_a_body_nested_100000_deep_is_422_not_a_recursion_error(api: Api) -> None:
    before = _live_cases(api)
    deep = "[" * 100_000 + "]" * 100_000
    assert error_of(_raw(api, "/cases", "seat01", deep), 422)["fields"] == {
        "body": "must not be nested more than 32 levels deep"}
    nested = '{"subtype_code": "0601", "description": ' + "[" * 40 + "]" * 40 + "}"
    level_33 = "description" + ".0" * 31
    assert list(error_of(_raw(api, "/cases", "seat01", nested), 422)["fields"]) == [level_33]
    assert _live_cases(api) == before


def test_nan_infinity_and_huge_integers_in_a_body_are_422(api: Api) -> None:
    text = '{"data": {"x": NaN}}'
    assert set(error_of(_raw(api, "/processes/timer-preview", "designer01", text), 422)["fields"]) == {"data.x"}
    body = {"kind": "timeDuration", "expression": "PT1H", "data": {"n": 2**70}}
    assert set(error_of(api.post("/processes/timer-preview", "designer01", body), 422)["fields"]) == {"data.n"}
    assert set(error_of(api.report(lat=1e400), 422)["fields"]) == {"lat"}  # 1e400 parses as Infinity


def test_a_moment_outside_1900_2999_is_422_naming_it(api: Api) -> None:
    far = "0001-01-01T00:00:00+14:00"  # has no UTC time at all: converting it overflowed
    sent = api.post("/vision/detections", "admin", {"detections": [_record(observed_at=far)]})
    assert set(error_of(sent, 422)["fields"]) == {"detections.0.observed_at"}
    assert "since" in error_of(api.get(f"/vision/precision?since={far.replace('+', '%2B')}", "admin"), 422)["fields"]
    preview = {"kind": "timeDuration", "expression": "PT1H", "at": "9999-12-31T23:59:59-14:00"}
    assert "at" in error_of(api.post("/processes/timer-preview", "designer01", preview), 422)["fields"]


def test_rules_evaluate_refuses_a_5000_deep_list_and_answers_a_huge_duration(api: Api) -> None:
    dmn = DMN_DURATION.replace("{span}", "P2D")
    deep = '{"dmn": ' + json.dumps(dmn) + ', "decision": "wait", "inputs": {"x": ' + "[" * 5000 + "]" * 5000 + "}}"
    assert "body" in error_of(_raw(api, "/rules/evaluate", "designer01", deep), 422)["fields"]
    # FEEL's days-and-time durations have no upper bound (xs:dayTimeDuration, DMN 1.5 §10.3.2.3.7): a span
    # beyond Python's timedelta is a value, not an overflow; the panel answers it like any other
    overflow = {"dmn": DMN_DURATION.replace("{span}", "P999999999999D"), "decision": "wait", "inputs": {}}
    assert api.post("/rules/evaluate", "designer01", overflow).json["result"] == {"ok": True}
    in_a_rule = {**overflow, "dmn": dmn.replace("<text>true</text>", '<text>duration("P999999999999D")</text>')}
    answered = api.post("/rules/evaluate", "designer01", in_a_rule)
    assert answered.status_code == 200 and answered.json["matched_rules"] == ["any"]
    assert answered.json["result"] is None  # a duration is not the output's boolean: null
    fine = api.post("/rules/evaluate", "designer01", {"dmn": dmn, "decision": "wait", "inputs": {}})
    assert fine.status_code == 200 and fine.json["result"] == {"ok": True}, fine.json


@pytest.mark.parametrize("name", ["p\x00.png", "p\r\nX-Evil: 1.png", "x" * 300 + ".png"])
def test_an_attachment_name_a_header_cannot_carry_is_422_naming_file(api: Api, name: str) -> None:
    case_no = api.new_case()
    sent = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers("seat01"),
                           data={"file": (io.BytesIO(png_bytes()), name)})
    assert set(error_of(sent, 422)["fields"]) == {"file"}
    assert api.get(f"/cases/{case_no}", "seat01").json["attachments"] == []


def test_an_absurd_extension_is_422_and_a_large_one_is_still_approved(api: Api) -> None:
    case_no = api.new_case()
    disposal = api.to_disposal(case_no)
    for amount in (1e30, 10_001):  # 1e30 was accepted, then every approval failed: the case stuck in review
        asked = {"disposal": {"outcome": "extension", "reason": "雨天", "extension_amount": amount}}
        assert set(error_of(api.complete(disposal["id"], asked, DEPT), 422)["fields"]) == {
            "disposal.extension_amount"}
    api.step(case_no, "dispose_problem", DEPT, {"disposal": {"outcome": "extension", "reason": "雨天",
                                                             "extension_amount": 10_000}})
    api.step(case_no, "review_extension", "shiftlead01", {"extension_review": {"approved": True}})
    assert [t["bpmn_id"] for t in api.get(f"/cases/{case_no}", "seat01").json["tasks"]] == ["dispose_problem"]


# ---- item 5: the API accepts what the form refuses ----

@pytest.mark.parametrize("subtype", ["9999", "٠٦٠١", "０６０１", "06 01", "𝟎𝟔𝟎𝟏"])
def test_the_api_and_the_page_refuse_the_same_subtypes(api: Api, subtype: str) -> None:
    before = _live_cases(api)
    assert set(error_of(api.report(subtype_code=subtype), 422)["fields"]) == {"subtype_code"}
    page = Browser(api, "seat01")
    page.get("/report/new")
    answer = page.client.post("/report/new", data={"channel": "hotline", "subtype_code": subtype, "lon": "117.65",
                                                   "lat": "24.51", "description": "x", "csrf_token": page.token})
    assert answer.status_code == 422 and 'class="field-error" data-field="subtype_code"' in answer.text
    assert _live_cases(api) == before


def test_a_duplicate_must_name_an_existing_case(api: Api) -> None:
    for other in ("whatever", "20261206999999", "x" * 40):
        assert set(error_of(api.report(duplicate_of=other), 422)["fields"]) == {"duplicate_of"}, other
    first = api.new_case()
    assert api.report(duplicate_of=first).status_code == 201


def test_evidence_must_be_an_uploaded_attachment(api: Api) -> None:
    assert set(error_of(api.report(evidence=["ab" * 32]), 422)["fields"]) == {"evidence.0"}
    first = api.new_case()
    upload = api.client.post(f"/api/v1/cases/{first}/attachments", headers=api.headers("seat01"),
                             data={"file": (io.BytesIO(png_bytes()), "p.png")})
    assert upload.status_code == 201, upload.json
    assert api.report(evidence=[upload.json["sha256"]]).status_code == 201


@pytest.mark.parametrize("confidence", [2, -0.1, "0.9", True])
def test_a_camera_detection_needs_a_confidence_from_0_to_1(api: Api, confidence: Any) -> None:
    before = _live_cases(api)
    message = {"name": "video_detection", "payload": {"detection": _detection(confidence=confidence)}}
    assert set(error_of(api.post("/messages", "admin", message), 422)["fields"]) == {"detection.confidence"}
    with pytest.raises(FieldsRejected) as refused:  # the simulator's path: the same command, the same check
        api.bus.handle(detection_message(_detection(confidence=confidence), "vision"))
    assert set(refused.value.fields) == {"detection.confidence"}
    assert _live_cases(api) == before
    message["payload"]["detection"]["confidence"] = 0.93
    assert api.post("/messages", "admin", message).status_code == 200


def test_detection_records_are_checked_by_their_command_as_by_their_schema(api: Api) -> None:
    for record, field in ((_record(score=2), "score"), (_record(x1=float("nan")), "x1"),
                          (_record(observed_at="0001-01-01T00:00:00+14:00"), "observed_at"),
                          (_record(track_id=2**70), "track_id")):
        with pytest.raises(FieldsRejected) as refused:
            api.bus.handle(RecordDetections((record,), "vision"))
        assert set(refused.value.fields) == {f"detections.0.{field}"}


def test_the_engine_commands_refuse_what_no_database_keeps_whoever_sends_them(api: Api) -> None:
    """Pages and the command line reach the engine's commands without the API's body check: they check too."""
    case_no = api.new_case()
    task = api.task(case_no, "verify_report", "collector001")
    for data, field in (({"verification": {"found": True, "note": "a\x00b"}}, "verification.note"),
                        ({"x": "\ud800"}, "x"), ({"x": math.inf}, "x"), ({"x": 2**64}, "x")):
        with pytest.raises(InvalidCommand) as refused:
            api.bus.handle(c.CompleteHumanTask(task["id"], data, "collector001"))
        assert refused.value.field == field, refused.value.message
    with pytest.raises(InvalidCommand) as refused:
        api.bus.handle(c.SendMessage("video_detection", {"detection": {"camera_id": "c\x00"}}, "vision"))
    assert refused.value.field == "detection.camera_id"
    with pytest.raises(InvalidCommand) as refused:
        api.bus.handle(c.StartCase("case_lifecycle", {}, "seat\x00"))
    assert refused.value.field == "actor"
    assert api.task(case_no, "verify_report", "collector001")["id"] == task["id"]  # still waiting, unchanged


# ---- item 12 ----

def test_a_trend_is_bounded_and_names_the_field(api: Api) -> None:
    for query in ("since=1900-01-01&until=2999-12-31&by=day", "since=2026-01-01&until=2027-02-05&by=day",
                  "since=1900-01-01&until=2999-12-31&by=week", "since=1900-01-01&until=2999-12-31&by=month"):
        assert set(error_of(api.get(f"/analysis/trends?{query}", "admin"), 422)["fields"]) == {"since"}, query
    day = api.get("/analysis/trends?since=2026-01-01&until=2027-02-04&by=day", "admin")
    assert day.status_code == 200 and len(day.json["periods"]) == 400
    month = api.get("/analysis/trends?since=2007-01-01&until=2026-12-31&by=month", "admin")
    assert month.status_code == 200 and len(month.json["periods"]) == 240


def test_the_openapi_document_has_every_api_route(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    documented = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    routes = {(method, re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1")))
              for rule in api.app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert ("POST", "/rules/evaluate") in documented
    assert routes - {("GET", "/openapi.json")} <= documented, routes - documented


def test_a_timer_preview_error_does_not_echo_megabytes(api: Api) -> None:
    body = {"kind": "timeDuration", "expression": "long", "data": {"long": "y" * 2_000_000}}
    refused = api.post("/processes/timer-preview", "designer01", body)
    assert set(error_of(refused, 422)["fields"]) == {"expression"}
    assert len(refused.get_data()) < 2_000
