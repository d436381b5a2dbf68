"""The auditor's API on SQLite and PostgreSQL: finding cases to audit (department, subtype, overdue, reworked,
returned, period, pages), a reworked case's replay (events, its process version's BPMN, one frame per event
with the rework loop counted), verification of an unaltered and a tampered case, and who may ask."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import DEPARTMENT, Api, error_of
from audit_support import DEPT, DISPOSED, reworked_case

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.summary import CITY_ZONE
from engine.persistence.db import create_db_engine
from engine.service.migration import migrate_cases

KINDS = {"person", "scheduler", "api_client", "vision_worker", "system"}
MIGRATE = Path(__file__).resolve().parents[1] / "fixtures" / "migrate"


def returned_case(api: Api) -> str:
    """A case the department sent back to the dispatcher (回退, approved by the shift lead), waiting for a new
    dispatch."""
    case_no = api.new_case()
    api.to_disposal(case_no)
    api.step(case_no, "dispose_problem", DEPT, {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    api.step(case_no, "review_return", "shiftlead01", {"return_review": {"approved": True}})
    return case_no


def found(api: Api, query: str, user: str = "auditor01") -> list[str]:
    response = api.get(f"/audit/cases?{query}", user)
    assert response.status_code == 200, response.json
    return [case["case_no"] for case in response.json["cases"]]


def sql(api: Api, statement: str, **params: Any) -> list[Any]:
    engine = create_db_engine(api.url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def test_a_reworked_case_replays_with_its_version_and_the_loop_counted(api: Api) -> None:
    case_no = reworked_case(api)
    response = api.get(f"/cases/{case_no}/replay", "auditor01")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["case_no"], body["status"]) == (case_no, "completed")
    process = body["process"]
    assert (process["process_id"], process["version"]) == ("case_lifecycle", 1)
    assert 'id="case_lifecycle"' in process["bpmn"] and len(process["sha256"]) == 64 and body["versions"] == {}
    events, frames = body["events"], body["frames"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) == [f["seq"] for f in frames]
    assert all(e["actor_kind"] in KINDS and f["actor_kind"] in KINDS for e, f in zip(events, frames, strict=True))
    disposals = [f for f in frames if f["event_type"] == "task_completed" and f["bpmn_id"] == "dispose_problem"]
    assert [f["counts"]["dispose_problem"] for f in disposals] == [1, 2]
    assert {f["actor"] for f in disposals} == {DEPT}
    rework = next(f for f in frames if f["event_type"] == "task_ready" and f["bpmn_id"] == "dispose_problem"
                  and f["counts"].get("check_on_site") == 1)
    assert "dispose_problem" in rework["active"] and "check_on_site" in rework["completed"]
    last = frames[-1]
    assert last["active"] == [] and last["light"] is None
    assert {k for k, v in last["counts"].items() if v > 1} == {"dispose_problem", "check_on_site"}
    for event, frame in zip(events, frames, strict=True):  # the deadline as recorded when the step set it
        changes = event["data"].get("changes", {}) if event["event_type"] == "data_changed" else {}
        if "due_at" in changes:
            assert frame["due_at"] == changes["due_at"][1] and frame["changes"] == changes


def test_the_finder_filters_by_counters_department_subtype_and_period(api: Api) -> None:
    reworked, returned, plain = reworked_case(api), returned_case(api), api.new_case()
    everything = found(api, "per_page=200")
    assert {reworked, returned, plain} <= set(everything)
    assert reworked in found(api, "reworked=1") and not {returned, plain} & set(found(api, "reworked=1"))
    assert returned in found(api, "returned=true") and not {reworked, plain} & set(found(api, "returned=1"))
    assert {reworked, returned} <= set(found(api, f"department={DEPARTMENT}&per_page=200"))
    assert plain not in found(api, f"department={DEPARTMENT}&per_page=200")  # not dispatched yet
    assert not {reworked, returned} & set(found(api, "department=350602-D05"))
    assert reworked in found(api, "subtype=0601&reworked=1") and found(api, "subtype=0602&reworked=1") == []
    today = datetime.now(CITY_ZONE).date()
    assert reworked in found(api, f"since={today}&until={today}&reworked=1")
    assert found(api, f"until={today - timedelta(days=1)}&reworked=1") == []
    assert found(api, f"since={today + timedelta(days=1)}") == []
    listed = api.get("/audit/cases?reworked=1", "admin").json
    case = next(x for x in listed["cases"] if x["case_no"] == reworked)
    assert case["status"] == "completed" and case["counters"]["reworks"] == 1 and case["evaluation"]["on_time"]


def test_the_finder_pages_newest_first(api: Api) -> None:
    for _ in range(3):
        api.new_case()
    first = api.get("/audit/cases?per_page=2", "auditor01").json
    second = api.get("/audit/cases?per_page=2&page=2", "auditor01").json
    assert first["total"] == second["total"] >= 3 and first["pages"] == -(-first["total"] // 2)
    assert len(first["cases"]) == len(second["cases"]) == 2
    shown = [x["started_at"] for x in first["cases"] + second["cases"]]
    assert shown == sorted(shown, reverse=True)
    beyond = api.get(f"/audit/cases?per_page=2&page={first['pages'] + 1}", "auditor01").json
    assert beyond["cases"] == [] and beyond["total"] == first["total"]


def test_an_overdue_case_is_found_and_replays_red(api: Api) -> None:
    """Dispatched, left a month (the scheduler fires its timers), then disposed late."""
    case_no = api.new_case()
    api.to_disposal(case_no)
    case_id = api.get(f"/cases/{case_no}", "auditor01").json["id"]
    assert case_no not in found(api, "overdue=1&per_page=200")
    api.deps.clock = FakeClock(datetime.now(UTC) + timedelta(days=30))  # a month later: every deadline passed
    bus = api.app.extensions["gridcase.bus"]
    for (timer_id,) in sql(api, "SELECT id FROM timers WHERE case_id = :id AND status = 'pending' ORDER BY due_at",
                           id=case_id):
        bus.handle(c.FireTimer(timer_id))
    api.step(case_no, "dispose_problem", DEPT, DISPOSED)  # late: the disposal counts the case overdue
    assert case_no in found(api, "overdue=1&per_page=200")
    frames = api.get(f"/cases/{case_no}/replay", "auditor01").json["frames"]
    fired = [f for f in frames if f["event_type"] == "timer_fired"]
    assert fired and fired[-1]["light"] == "red" and fired[-1]["actor"] == "scheduler"
    assert {"disposal_overdue"} <= set(fired[-1]["completed"]) and "dispose_problem" in fired[-1]["active"]
    assert frames[-1]["active"] == ["check_on_site"] and frames[-1]["light"] is None


def test_a_migrated_case_replays_on_both_versions(api: Api) -> None:
    """Started on v1 of tests/fixtures/migrate's process, moved to v2: the replay carries both diagrams."""
    bus = api.app.extensions["gridcase.bus"]
    sources = {n: (MIGRATE / f"migrate_demo_v{n}.bpmn").read_text(encoding="utf-8") for n in (1, 2)}
    bus.handle(c.DeployProcesses({"migrate_demo.bpmn": sources[1]}, "tests"))
    case_id = bus.handle(c.StartCase("migrate_demo", {"report": "pit"}, "seat01")).case_id
    bus.handle(c.DeployProcesses({"migrate_demo.bpmn": sources[2]}, "tests"))
    migrate_cases(bus, "migrate_demo", 2, "designer01")
    ((case_no,),) = sql(api, "SELECT case_no FROM case_summaries WHERE case_id = :id", id=case_id)
    body = api.get(f"/cases/{case_no}/replay", "auditor01").json
    assert (body["process"]["process_id"], body["process"]["version"]) == ("migrate_demo", 2)
    (old,) = body["versions"].values()
    assert old["version"] == 1 and 'id="migrate_demo"' in old["bpmn"] and old["bpmn"] != body["process"]["bpmn"]
    versions = {e["process_version_id"] for e in body["events"]}
    assert versions == {old["version_id"], body["process"]["version_id"]}
    assert "case_migrated" in [f["event_type"] for f in body["frames"]]
    assert "task_a" in body["frames"][-1]["active"]


@pytest.mark.tampers
def test_verification_of_an_unaltered_and_a_tampered_case(api: Api) -> None:
    pytest.importorskip("engine.service.audit.replay")
    case_no = reworked_case(api)
    response = api.post(f"/cases/{case_no}/replay/verify", "auditor01")
    assert response.status_code == 200, response.json
    body = response.json
    events = len(api.get(f"/cases/{case_no}/events", "auditor01").json["events"])
    assert (body["verified"], body["events"], body["divergence"]) == (True, events, None)
    assert body["seconds"] >= 0
    case_id = api.get(f"/cases/{case_no}", "auditor01").json["id"]
    sql(api, "UPDATE case_events SET actor = 'mallory' WHERE case_id = :id AND seq = 5", id=case_id)
    tampered = api.post(f"/cases/{case_no}/replay/verify", "admin").json
    assert tampered["verified"] is False
    assert set(tampered["divergence"]) == {"seq", "event_type", "field", "expected", "found", "reason"}
    assert tampered["divergence"]["seq"] == 5 and tampered["divergence"]["reason"]


def test_only_auditors_and_admins_and_unknown_cases_are_404(api: Api) -> None:
    case_no = api.new_case()
    for user in ("seat01", "shiftlead01", "dept_350602s07_01", "collector001"):
        assert error_of(api.get("/audit/cases", user), 403)["code"] == "forbidden"
        error_of(api.get(f"/cases/{case_no}/replay", user), 403)
        error_of(api.post(f"/cases/{case_no}/replay/verify", user), 403)
    for number in ("20990101999999", "abc", "2" * 40, case_no[:8] + "999999"):
        error_of(api.get(f"/cases/{number}/replay", "auditor01"), 404)
        error_of(api.post(f"/cases/{number}/replay/verify", "admin"), 404)
    error_of(api.client.get("/api/v1/audit/cases"), 401)
    error_of(api.client.get(f"/api/v1/cases/{case_no}/replay"), 401)
    assert api.get(f"/cases/{case_no}/replay", "admin").status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("overdue=perhaps", "overdue"), ("since=yesterday", "since"), ("until=2026-13-01", "until"),
    ("page=0", "page"), ("per_page=1000", "per_page"), ("colour=red", "colour"),
    ("since=2026-11-02&until=2026-11-01", "until"), ("department=" + "x" * 40, "department"),
    ("subtype=%3Cscript%3E", "subtype")])
def test_bad_filters_are_422_naming_the_field(api: Api, query: str, field: str) -> None:
    error = error_of(api.get(f"/audit/cases?{query}", "auditor01"), 422)
    assert field in error["fields"], error


def test_the_openapi_document_describes_the_audit_calls(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    assert {"get"} <= set(paths["/audit/cases"]) and "post" in paths["/cases/{case_no}/replay/verify"]
    names = {p["name"] for p in paths["/audit/cases"]["get"]["parameters"]}
    assert {"department", "subtype", "overdue", "reworked", "returned", "since", "until", "page"} <= names
    assert "403" in paths["/cases/{case_no}/replay"]["get"]["responses"]
