"""A whole case through the REST API, each step by the person whose job it is, and idempotent reporting.

Seat operator reports → collector verifies → shift lead files → dispatcher dispatches → department member claims
and disposes with an uploaded photo as evidence → collector checks → shift lead closes. Along the way the case page
shows department, deadline light and counters; at the end its evaluation; the audit events form a hash chain.
"""

from __future__ import annotations

import io
from datetime import datetime
from itertools import pairwise
from typing import Any

import sqlalchemy as sa
from api_support import DEPARTMENT, Api, png_bytes

from engine.domain.audit.chain import StoredEvent, chain_problems
from engine.domain.events import GENESIS_HASH, canonical_json
from engine.persistence.db import create_db_engine

DEPT = "dept_350602s07_01"


def _case(api: Api, case_no: str, user: str = "seat01") -> dict[str, Any]:
    response = api.get(f"/cases/{case_no}", user)
    assert response.status_code == 200, response.json
    return dict(response.json)


def _dispose_with_photo(api: Api, case_no: str) -> str:
    """The department member claims the disposal, uploads a photo and reports it disposed; the photo's sha256."""
    task = api.task(case_no, "dispose_problem", DEPT)
    claimed = api.post(f"/tasks/{task['id']}/claim", DEPT)
    assert claimed.status_code == 200 and claimed.json["assignee"] == DEPT, claimed.json
    upload = api.client.post(f"/api/v1/cases/{case_no}/attachments", headers=api.headers(DEPT),
                             data={"file": (io.BytesIO(png_bytes()), "after.png")})
    assert upload.status_code == 201, upload.json
    digest = str(upload.json["sha256"])
    assert upload.json["content_type"] == "image/png"
    done = api.complete(task["id"], {"disposal": {"outcome": "disposed", "result": "清理完毕", "evidence": [digest]}},
                        DEPT)
    assert done.status_code == 200, done.json
    assert done.json["task"]["state"] == "completed" and done.json["task"]["completed_by"] == DEPT
    return digest


def test_a_case_walks_its_whole_lifecycle_through_the_api(api: Api) -> None:
    reported = api.report("seat01", external_id=None)
    assert reported.status_code == 201, reported.json
    case = reported.json
    case_no = case["case_no"]
    assert case["status"] == "running" and case["district"] == "350602" and case["channel"] == "hotline"
    assert [t["bpmn_id"] for t in case["tasks"]] == ["verify_report"]
    assert case["tasks"][0]["candidate_group"] == "collector:350602"

    api.step(case_no, "verify_report", "collector001", {"verification": {"found": True, "note": "属实"}})
    filing = api.task(case_no, "file_or_void", "shiftlead01")
    shown = api.get(f"/tasks/{filing['id']}", "shiftlead01").json["data"]
    assert shown["advice"] == "file" and shown["filing_condition"], shown
    api.step(case_no, "file_or_void", "shiftlead01", {"filing": {"decision": "file"}})
    dispatch = api.task(case_no, "confirm_dispatch", "dispatcher01")
    assert api.get(f"/tasks/{dispatch['id']}", "dispatcher01").json["data"]["disposal_unit"] == DEPARTMENT
    api.step(case_no, "confirm_dispatch", "dispatcher01", {"dispatch": {}})

    dispatched = _case(api, case_no)
    assert dispatched["department"] == DEPARTMENT and dispatched["light"] == "green"
    assert dispatched["due_at"] and dispatched["warn_at"] and dispatched["warn_at"] < dispatched["due_at"]
    assert dispatched["counters"] == {"extensions": 0, "overdue": 0, "returns": 0, "reworks": 0, "suspensions": 0,
                                      "wrong_dispatches": 0}
    assert [t["bpmn_id"] for t in dispatched["tasks"]] == ["dispose_problem"]

    digest = _dispose_with_photo(api, case_no)
    api.step(case_no, "check_on_site", "collector001", {"check": {"passed": True, "evidence": [digest]}})
    api.step(case_no, "close_case", "shiftlead01", {"closing": {"close_type": "normal"}})

    closed = _case(api, case_no, "auditor01")
    assert closed["status"] == "completed" and closed["completed_at"] and closed["tasks"] == []
    assert [a["sha256"] for a in closed["attachments"]] == [digest]
    evaluation = closed["evaluation"]
    assert evaluation["result"] == "closed" and evaluation["close_type"] == "normal"
    assert evaluation["on_time"] is True and evaluation["department"] == DEPARTMENT
    assert (evaluation["reworks"], evaluation["returns"], evaluation["overdue"]) == (0, 0, 0)
    _check_events(api, case_no, closed["id"])


def _check_events(api: Api, case_no: str, case_id: int) -> None:
    """Events in order, each done by the right person, chained by prev_hash and reproducible from their fields."""
    response = api.get(f"/cases/{case_no}/events", "auditor01")
    assert response.status_code == 200 and response.json["case_no"] == case_no
    events = response.json["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["event_type"] == "case_started" and events[-1]["event_type"] == "case_completed"
    assert events[0]["prev_hash"] == GENESIS_HASH
    for before, after in pairwise(events):
        assert after["prev_hash"] == before["hash"], after
    assert [e["occurred_at"] for e in events] == sorted(e["occurred_at"] for e in events)
    completed = [(e["bpmn_id"], e["actor"]) for e in events if e["event_type"] == "task_completed"]
    assert completed == [("verify_report", "collector001"), ("file_or_void", "shiftlead01"),
                         ("confirm_dispatch", "dispatcher01"), ("dispose_problem", DEPT),
                         ("check_on_site", "collector001"), ("close_case", "shiftlead01")]
    disposal = next(e["task_id"] for e in events if e["event_type"] == "task_completed"
                    and e["bpmn_id"] == "dispose_problem")
    assert ("task_claimed", disposal, DEPT) in [(e["event_type"], e["task_id"], e["actor"]) for e in events]
    engine = create_db_engine(api.url)
    try:
        with engine.connect() as conn:
            versions = dict(conn.execute(sa.text("SELECT seq, process_version_id FROM case_events"
                                                 " WHERE case_id = :id"), {"id": case_id}).all())
    finally:
        engine.dispose()
    stored = [StoredEvent(case_id, e["seq"], datetime.fromisoformat(e["occurred_at"]), e["actor"], e["actor_kind"],
                          e["event_type"], e["command"], e["task_id"], e["bpmn_id"], canonical_json(e["data"]),
                          versions[e["seq"]], e["prev_hash"], e["hash"], e["request_id"]) for e in events]
    assert chain_problems(stored) == []  # each hash reproducible from the fields the API shows
    assert {e["actor_kind"] for e in events} == {"person"}


def test_reporting_twice_with_the_same_channel_and_external_id_gives_the_same_case(api: Api) -> None:
    first = api.report("seat01", external_id="hotline-4711", channel="hotline")
    assert first.status_code == 201, first.json
    again = api.report("seat01", external_id="hotline-4711", channel="hotline", description="the same call again")
    assert again.status_code == 200, again.json
    assert again.json["case_no"] == first.json["case_no"]
    assert again.json["description"] == first.json["description"]
    other = api.report("seat01", external_id="hotline-4712", channel="hotline")
    assert other.status_code == 201 and other.json["case_no"] != first.json["case_no"]
    by_wechat = api.report("seat01", external_id="hotline-4711", channel="wechat")
    assert by_wechat.status_code == 201 and by_wechat.json["case_no"] not in (first.json["case_no"],
                                                                               other.json["case_no"])
    no_external = [api.report("seat01", external_id=None).json["case_no"] for _ in range(2)]
    assert no_external[0] != no_external[1]
    tasks = api.get(f"/tasks?case_no={first.json['case_no']}", "collector001").json["tasks"]
    assert [t["bpmn_id"] for t in tasks] == ["verify_report"]  # the repeat started nothing
