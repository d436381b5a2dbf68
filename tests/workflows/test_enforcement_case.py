"""workflows/enforcement_case.bpmn (执法案件), every path: filing refused (the reason required); the full path with the
party's statement; no statement in 3 days (the case goes on); a decision sent back then approved; the investigation
and the execution past their limits (the leader's 督办 while they go on, closed by the end); the fine's checks; a bad
start refused. The team and its leader come from rules/enforcement_teams.dmn by the origin's district. Every command
is checked against the stored state (hot, and restored from rows at every step: the serializer's round trip), every
case replays, and time moves only by the fake clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import replay_every_case
from fixture_types import Snapshot
from lifecycle import Case, due, fire_due
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected, NotAllowed
from engine.domain.forms import FieldsRejected
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = [ROOT / "workflows" / "enforcement_case.bpmn", ROOT / "rules" / "enforcement_teams.dmn"]
START = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
TEAM, LEADER, MEMBER = "350602-D03", "person:dept_350602d03_01", "dept_350602d03_02"
PROPOSAL = {"filing_proposal": {"party_name": "漳州顺达渣土运输有限公司", "party_kind": "organisation",
                                "party_id": "91350600MA2XXXXX1K", "facts": "运输车辆沿路抛洒渣土",
                                "proposed_basis": "《城市市容和环境卫生管理条例》第十五条"}}
APPROVE = {"decision": "approve"}
INVESTIGATION = {"investigation": {"site_notes": "现场道路约 30 米抛洒", "party_statement": "承认未密闭运输"}}
NOTICE = {"notice": {"date": "2026-12-07", "method": "in_person"}}  # the transfer's day
FINE = {"decision": {"legal_basis": "《城市市容和环境卫生管理条例》第三十四条", "penalty_kind": "fine",
                     "fine_amount": 5000}}


def service(clock: FakeClock) -> dict[str, Any]:
    """The decision served today (the fake clock's day)."""
    return {"service": {"served_on": clock.now().date().isoformat(), "method": "in_person", "receipt": "送达回证 001"}}


@pytest.fixture(params=["hot", "cold"])
def bus(request: pytest.FixtureRequest, db: Engine, clock: FakeClock) -> Iterator[MessageBus]:
    """The enforcement model and its team rules deployed with their forms (checked on each completion), once with
    the workflow cache and once restoring every case from its rows; every case replays afterwards."""
    clock.set(START)
    built = bootstrap(db, clock, verify_state=True, working_time=Settings.from_env({}).working_time(),
                      cache_size=256 if request.param == "hot" else 0)
    built.handle(c.DeployProcesses(read_sources(MODEL_FILES), "tests"))
    yield built
    replay_every_case(request, [built])


def transfer(district: str | None = "350602", **overrides: Any) -> dict[str, Any]:
    """The start data TransferToEnforcement gives: the originating case and the reason."""
    origin = {"case_no": "ZZ20261207000001", "case_id": 1, "subtype": "0809", "lon": 117.65, "lat": 24.51,
              "district": district, "description": "渣土车沿路抛洒"}
    return {"origin": origin, "reason": "多次抛洒，需立案处罚", "transferred_by": "dispatcher1", **overrides}


def start(bus: MessageBus, db: Engine, data: dict[str, Any]) -> Case:
    """An enforcement_case case started as the transfer starts it."""
    return Case(bus, db, bus.handle(c.StartCase("enforcement_case", data, "dispatcher1")).case_id)


def filed(bus: MessageBus, db: Engine) -> Case:
    """A case of 芗城区's team with filing proposed and approved (investigation ready)."""
    case = start(bus, db, transfer())
    case.complete("propose_filing", PROPOSAL, MEMBER)
    case.complete("approve_filing", {"filing_review": APPROVE}, "dept_350602d03_01")
    return case


def to_decision(bus: MessageBus, db: Engine, clock: FakeClock) -> Case:
    """Filed, investigated, notified and the statement recorded: the decision is ready."""
    case = filed(bus, db)
    case.complete("investigate", INVESTIGATION, MEMBER)
    case.complete("notify_party", NOTICE, MEMBER)
    clock.advance(timedelta(days=1))
    case.complete("record_statement", {"statement": {"content": "对事实无异议，请求从轻", "accepted": True}}, MEMBER)
    return case


def current(case: Case) -> dict[str, Any]:
    """The case's newest data: a ready task's (the newest of the first ready BPMN id), or the ended case's."""
    ready = sorted(case.ready())
    if not ready:
        return case.data()
    with case.db.connect() as conn:
        rows = list(conn.execute(sa.text(
            "SELECT d.data FROM workflow_tasks t JOIN task_data d ON d.case_id = t.case_id AND d.hash = t.data_hash"
            " WHERE t.case_id = :id AND t.spec_name = :spec ORDER BY t.last_state_change"),
            {"id": case.case_id, "spec": ready[0]}))
    return dict(json.loads(rows[-1].data))


def stage(case: Case) -> str:
    return str(current(case)["enforcement"]["stage"])


def test_the_team_and_leader_by_district(bus: MessageBus, db: Engine) -> None:
    case = start(bus, db, transfer())
    task = case.ready()["propose_filing"]
    assert (task.candidate_group, task.form) == (TEAM, "forms/propose_filing.json")
    data = current(case)
    assert (data["team"], data["team_leader"], data["investigation_days"]) == (TEAM, LEADER, 15)
    assert data["number_prefix"] == "芗城执罚"
    assert data["enforcement"] == {"stage": "filing", "team": TEAM, "opened_at": START.isoformat()}
    elsewhere = start(bus, db, transfer("350699"))  # a district with no brigade of its own: the city's 支队
    assert elsewhere.ready()["propose_filing"].candidate_group == "C04"
    assert current(elsewhere)["team_leader"] == "person:dept_c04_01"
    unknown = start(bus, db, transfer(None))
    assert unknown.ready()["propose_filing"].candidate_group == "C04"


def test_filing_refused_needs_its_reason_and_ends(bus: MessageBus, db: Engine, snapshot: Snapshot) -> None:
    case = start(bus, db, transfer())
    case.complete("propose_filing", PROPOSAL, MEMBER)
    task = case.ready()["approve_filing"]
    assert task.candidate_group == LEADER
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete("approve_filing", {"filing_review": {"decision": "refuse"}}, "dept_350602d03_01")
    assert refused.value.field == "filing_review.reason" and snapshot(case.case_id) == before
    case.complete("approve_filing", {"filing_review": {"decision": "refuse", "reason": "证据不足，不予立案"}},
                  "dept_350602d03_01")
    assert case.status == "completed" and case.ready() == {}
    enforcement = current(case)["enforcement"]
    assert (enforcement["stage"], enforcement["result"]) == ("refused", "refused")
    assert "filed_at" not in enforcement and case.timers() == {}


def test_a_blank_proposal_is_refused(bus: MessageBus, db: Engine, snapshot: Snapshot) -> None:
    case = start(bus, db, transfer())
    before = snapshot(case.case_id)
    blank = {"filing_proposal": {**PROPOSAL["filing_proposal"], "facts": "  "}}
    with pytest.raises(FormRejected) as refused:
        case.complete("propose_filing", blank, MEMBER)
    assert refused.value.field == "filing_proposal.facts" and snapshot(case.case_id) == before
    with pytest.raises(FieldsRejected) as by_form:  # the form's own choices
        case.complete("propose_filing", {"filing_proposal": {**PROPOSAL["filing_proposal"], "party_kind": "x"}},
                      MEMBER)
    assert set(by_form.value.fields) == {"filing_proposal.party_kind"} and snapshot(case.case_id) == before


def test_the_full_path_with_the_statement(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = filed(bus, db)
    assert stage(case) == "investigation" and current(case)["enforcement"]["filed_at"] == START.isoformat()
    assert due(case, "investigation_overdue") == START + timedelta(days=15)
    assert case.ready()["investigate"].candidate_group == TEAM
    clock.advance(timedelta(days=2))
    case.complete("investigate", INVESTIGATION, MEMBER)
    assert stage(case) == "notice" and set(case.timers("cancelled")) == {"investigation_overdue"}
    case.complete("notify_party", NOTICE, MEMBER)
    assert set(case.timers()) == {"statement_lapsed"}
    assert due(case, "statement_lapsed") == START + timedelta(days=5)
    clock.advance(timedelta(days=1))
    case.complete("record_statement", {"statement": {"content": "对事实无异议", "accepted": False}}, MEMBER)
    assert stage(case) == "decision" and current(case)["statement_lapsed"] is False
    case.complete("decide_penalty", FINE, MEMBER)
    assert case.ready()["approve_decision"].candidate_group == LEADER
    clock.advance(timedelta(days=1))
    case.complete("approve_decision", {"decision_review": APPROVE}, "dept_350602d03_01")
    decided = START + timedelta(days=4)
    assert stage(case) == "service" and current(case)["enforcement"]["decided_at"] == decided.isoformat()
    case.complete("serve_decision", service(clock), MEMBER)
    assert stage(case) == "execution" and due(case, "execution_overdue") == decided + timedelta(days=15)
    case.complete("execute_decision", {"execution": {"result": "paid", "note": "已缴纳罚款"}}, MEMBER)
    assert current(case)["enforcement"]["result"] == "paid"
    case.complete("close_enforcement", {"closing": {"summary": "罚款 5000 元已缴纳，结案"}}, MEMBER)
    assert case.status == "completed" and case.ready() == {}
    enforcement = current(case)["enforcement"]
    assert (enforcement["stage"], enforcement["closed_at"]) == ("closed", decided.isoformat())
    assert enforcement["served_at"] == enforcement["executed_at"] == decided.isoformat()
    assert current(case)["decision"]["fine_amount"] == 5000


def test_no_statement_in_three_days_goes_on(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = filed(bus, db)
    case.complete("investigate", INVESTIGATION, MEMBER)
    case.complete("notify_party", NOTICE, MEMBER)
    clock.set(START + timedelta(days=2, hours=23))
    assert fire_due(bus) == [] and set(case.ready()) == {"record_statement"}
    clock.set(START + timedelta(days=3, minutes=1))
    fire_due(bus)
    assert set(case.ready()) == {"decide_penalty"} and stage(case) == "decision"
    data = current(case)
    assert data["statement_lapsed"] is True and data["statement"] is None
    (statement,) = case.tasks("record_statement")
    assert statement.state == "cancelled"


def test_a_decision_sent_back_then_approved(bus: MessageBus, db: Engine, clock: FakeClock,
                                            snapshot: Snapshot) -> None:
    case = to_decision(bus, db, clock)
    case.complete("decide_penalty", FINE, MEMBER)
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete("approve_decision", {"decision_review": {"decision": "refuse", "reason": " "}},
                      "dept_350602d03_01")
    assert refused.value.field == "decision_review.reason" and snapshot(case.case_id) == before
    case.complete("approve_decision", {"decision_review": {"decision": "refuse", "reason": "罚款幅度偏高"}},
                  "dept_350602d03_01")
    assert set(case.ready()) == {"decide_penalty"} and stage(case) == "decision"
    assert current(case)["decision_refusals"] == 1
    warning = {"decision": {"legal_basis": "《城市市容和环境卫生管理条例》第三十四条", "penalty_kind": "warning"}}
    case.complete("decide_penalty", warning, MEMBER)
    case.complete("approve_decision", {"decision_review": APPROVE}, "dept_350602d03_01")
    assert set(case.ready()) == {"serve_decision"} and stage(case) == "service"
    assert current(case)["decision"] == warning["decision"]


@pytest.mark.parametrize(("decision", "field"), [
    ({"legal_basis": "第三十四条", "penalty_kind": "fine"}, "decision.fine_amount"),
    ({"legal_basis": "第三十四条", "penalty_kind": "fine", "fine_amount": -1}, "decision.fine_amount"),
    ({"legal_basis": "第三十四条", "penalty_kind": "fine", "fine_amount": 10000000.01}, "decision.fine_amount"),
    ({"legal_basis": "  ", "penalty_kind": "warning"}, "decision.legal_basis"),
    ({"legal_basis": "第三十四条", "penalty_kind": "warning", "fine_amount": 5000}, "decision.fine_amount"),
    ({"legal_basis": "第三十四条", "penalty_kind": "order", "fine_amount": 0}, "decision.fine_amount"),
    ({"legal_basis": "第三十四条", "penalty_kind": "fine", "fine_amount": 0}, "decision.fine_amount"),
    ({"legal_basis": "第三十四条", "penalty_kind": "fine", "fine_amount": 0.004}, "decision.fine_amount"),
    ({"legal_basis": "第三十四条", "penalty_kind": "fine", "fine_amount": 1500.505}, "decision.fine_amount"),
])
def test_the_decision_is_checked(bus: MessageBus, db: Engine, clock: FakeClock, snapshot: Snapshot,
                                 decision: dict[str, Any], field: str) -> None:
    case = to_decision(bus, db, clock)
    before = snapshot(case.case_id)
    with pytest.raises((FormRejected, FieldsRejected)) as refused:  # the form's range, then the model's checks
        case.complete("decide_penalty", {"decision": decision}, MEMBER)
    error = refused.value
    fields = set(error.fields) if isinstance(error, FieldsRejected) else {error.field}
    assert fields == {field} and snapshot(case.case_id) == before


def test_the_limits_escalate_to_the_leader(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = filed(bus, db)
    clock.set(START + timedelta(days=14, hours=23))
    assert fire_due(bus) == []
    clock.set(START + timedelta(days=15, minutes=1))
    fire_due(bus)
    assert set(case.ready()) == {"investigate", "supervise_investigation"}
    assert case.ready()["supervise_investigation"].candidate_group == LEADER
    case.complete("supervise_investigation", {"investigation_supervision": {"note": "三日内完成取证"}},
                  "dept_350602d03_01")
    case.complete("investigate", INVESTIGATION, MEMBER)
    case.complete("notify_party", NOTICE, MEMBER)
    case.complete("record_statement", {"statement": {"content": "无异议"}}, MEMBER)
    case.complete("decide_penalty", FINE, MEMBER)
    case.complete("approve_decision", {"decision_review": APPROVE}, "dept_350602d03_01")
    served = clock.now()
    case.complete("serve_decision", service(clock), MEMBER)
    clock.set(served + timedelta(days=15, minutes=1))
    fire_due(bus)
    assert set(case.ready()) == {"execute_decision", "supervise_execution"}
    case.complete("execute_decision", {"execution": {"result": "enforced"}}, MEMBER)
    case.complete("close_enforcement", {"closing": {"summary": "申请法院强制执行完毕"}}, MEMBER)
    assert case.status == "completed" and case.ready() == {}  # the terminate end closes the open 督办
    (supervision,) = case.tasks("supervise_execution")
    assert supervision.state == "cancelled"


def test_a_bad_start_is_refused(bus: MessageBus) -> None:
    with pytest.raises(FormRejected) as refused:
        bus.handle(c.StartCase("enforcement_case", transfer(origin={"case_no": ""}), "dispatcher1"))
    assert refused.value.field == "origin.case_no"
    with pytest.raises(FormRejected) as no_reason:
        bus.handle(c.StartCase("enforcement_case", transfer(reason=" "), "dispatcher1"))
    assert no_reason.value.field == "reason"


def test_a_fine_with_two_decimals_is_kept(bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = to_decision(bus, db, clock)
    case.complete("decide_penalty", {"decision": {"legal_basis": "第三十四条", "penalty_kind": "fine",
                                                  "fine_amount": 1500.57}}, MEMBER)
    assert set(case.ready()) == {"approve_decision"} and current(case)["decision"]["fine_amount"] == 1500.57


@pytest.mark.parametrize("day", ["0000-99-99", "2026-02-31", "2026-12-05", "2026-12-30"])
def test_the_notice_date_is_a_real_day_since_the_transfer(bus: MessageBus, db: Engine, snapshot: Snapshot,
                                                          day: str) -> None:
    case = filed(bus, db)
    case.complete("investigate", INVESTIGATION, MEMBER)
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete("notify_party", {"notice": {"date": day, "method": "post"}}, MEMBER)
    assert refused.value.field == "notice.date" and snapshot(case.case_id) == before
    case.complete("notify_party", {"notice": {"date": "2026-12-07", "method": "post"}}, MEMBER)
    assert set(case.ready()) == {"record_statement"}


@pytest.mark.parametrize("day", ["9999-99-99", "2026-11-31", "2026-12-06", "2027-01-01"])
def test_the_service_date_is_a_real_day_since_the_decision(bus: MessageBus, db: Engine, clock: FakeClock,
                                                           snapshot: Snapshot, day: str) -> None:
    case = to_decision(bus, db, clock)
    case.complete("decide_penalty", FINE, MEMBER)
    clock.advance(timedelta(days=1))  # decided on 2026-12-09
    case.complete("approve_decision", {"decision_review": APPROVE}, "dept_350602d03_01")
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete("serve_decision", {"service": {"served_on": day, "method": "post"}}, MEMBER)
    assert refused.value.field == "service.served_on" and snapshot(case.case_id) == before
    case.complete("serve_decision", service(clock), MEMBER)
    assert stage(case) == "execution"


def test_every_third_refusal_goes_to_the_supervisors(bus: MessageBus, db: Engine, clock: FakeClock,
                                                     snapshot: Snapshot) -> None:
    case = to_decision(bus, db, clock)
    for refusals in (1, 2, 3):
        case.complete("decide_penalty", FINE, MEMBER)
        case.complete("approve_decision", {"decision_review": {"decision": "refuse", "reason": f"第{refusals}次"}},
                      "dept_350602d03_01")
    assert set(case.ready()) == {"supervise_decision"} and current(case)["decision_refusals"] == 3
    assert case.ready()["supervise_decision"].candidate_group == "supervisor" and stage(case) == "decision"
    before = snapshot(case.case_id)
    with pytest.raises((FormRejected, FieldsRejected)):
        case.complete("supervise_decision", {"decision_supervision": {"instruction": " "}}, "supervisor1")
    assert snapshot(case.case_id) == before
    case.complete("supervise_decision", {"decision_supervision": {"instruction": "按第三十四条下限处罚"}},
                  "supervisor1")
    assert set(case.ready()) == {"decide_penalty"}
    case.complete("decide_penalty", FINE, MEMBER)  # a fourth refusal is sent back to the team again
    case.complete("approve_decision", {"decision_review": {"decision": "refuse", "reason": "第4次"}},
                  "dept_350602d03_01")
    assert set(case.ready()) == {"decide_penalty"}
    case.complete("decide_penalty", FINE, MEMBER)
    case.complete("approve_decision", {"decision_review": APPROVE}, "dept_350602d03_01")
    assert stage(case) == "service"


def test_who_proposes_does_not_approve(bus: MessageBus, db: Engine, clock: FakeClock, snapshot: Snapshot) -> None:
    """Four eyes: the leader (a member of the team's group too) does not propose what he approves, and whoever
    completed the proposal does not approve it; the leader still does the team's other work."""
    case = start(bus, db, transfer())
    before = snapshot(case.case_id)
    with pytest.raises(NotAllowed) as leader_proposes:
        case.complete("propose_filing", PROPOSAL, "dept_350602d03_01")
    assert leader_proposes.value.field == "filing_proposal" and snapshot(case.case_id) == before
    case.complete("propose_filing", PROPOSAL, MEMBER)
    before = snapshot(case.case_id)
    with pytest.raises(NotAllowed) as own_filing:
        case.complete("approve_filing", {"filing_review": APPROVE}, MEMBER)
    assert own_filing.value.field == "filing_review.decision" and snapshot(case.case_id) == before
    case.complete("approve_filing", {"filing_review": APPROVE}, "dept_350602d03_01")
    case.complete("investigate", INVESTIGATION, "dept_350602d03_01")  # the team's other work: the leader may
    case.complete("notify_party", NOTICE, MEMBER)
    case.complete("record_statement", {"statement": {"content": "无异议"}}, MEMBER)
    with pytest.raises(NotAllowed):
        case.complete("decide_penalty", FINE, "dept_350602d03_01")
    case.complete("decide_penalty", FINE, MEMBER)
    before = snapshot(case.case_id)
    with pytest.raises(NotAllowed) as own_decision:
        case.complete("approve_decision", {"decision_review": APPROVE}, MEMBER)
    assert own_decision.value.field == "decision_review.decision" and snapshot(case.case_id) == before
    case.complete("approve_decision", {"decision_review": APPROVE}, "dept_350602d03_01")
    assert stage(case) == "service"
