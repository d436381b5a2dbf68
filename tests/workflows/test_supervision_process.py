"""The deployed 督办 model (workflows/supervision.bpmn, process case_supervision) on an open lifecycle case: answered
in time, overdue → 二级督办 while the department's task stays open, not satisfied → back with a new deadline, and
refused for an unknown or closed case. Each path runs hot and cold (restored from the rows at every step), every
command is checked against the stored state (``verify_state``), and every case is replayed after the test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fixture_types import Snapshot
from lifecycle import DEPARTMENT, Case, cst, fire_due, report, start, to_disposal
from sqlalchemy.engine import Engine

from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected
from engine.domain.forms import FieldsRejected
from engine.persistence.db import as_utc
from engine.scheduling.connectors import ConnectorLoop
from engine.service.bus import MessageBus
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
WORKING_TIME = Settings.from_env({}).working_time()


def issue(bus: MessageBus, db: Engine, case_no: str, **overrides: Any) -> Case:
    """Start a 督办 on ``case_no`` for the disposal department: reply within 4 working hours."""
    data = {"case_no": case_no, "department": DEPARTMENT, "instruction": "清理路边垃圾并回复",
            "reply_within": {"amount": 4, "unit": "working_hours"}, "urgency": "urgent", **overrides}
    ref = bus.handle(c.StartCase("case_supervision", data, "lead1"))
    assert set(Case(bus, db, ref.case_id).ready()) == set()  # the department is told first, then its task opens
    assert send_notifications(bus) == 1  # the scheduler's connector loop: the notify task's job
    assert set(Case(bus, db, ref.case_id).ready()) == {"answer_supervision"}
    return Case(bus, db, ref.case_id)


def send_notifications(bus: MessageBus) -> int:
    """Run the built-in connectors' jobs once, as the scheduler does (the notify service task's)."""
    return ConnectorLoop(bus, ConnectorSettings()).run_once()


def notified(sql: Callable[..., list[Any]]) -> list[tuple[Any, ...]]:
    """The supervision notifications written: (recipient kind, recipient, urgency, template data)."""
    rows = sql("SELECT recipient_kind, recipient, urgency, data FROM notifications WHERE kind = 'supervision'"
               " ORDER BY id")
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def open_case(bus: MessageBus, db: Engine) -> str:
    """A lifecycle case at 处置 (disposal): its number."""
    case = to_disposal(bus, db)
    (row,) = case._rows("SELECT case_no FROM case_summaries WHERE case_id = :id")
    return str(row.case_no)


def answer(case: Case, done: str = "已清运", done_by: str = "今天 17:00 前") -> None:
    case.complete("answer_supervision", {"answer": {"done": done, "done_by": done_by}}, "dept01")


def test_answered_in_time_and_accepted(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                       sql: Callable[..., list[Any]]) -> None:
    clock.set(cst(2, 9))
    supervision_of = open_case(city_bus, db)
    supervision = issue(city_bus, db, supervision_of)
    task = supervision.ready()["answer_supervision"]
    due = WORKING_TIME.deadline(cst(2, 9), 4, "working_hours")
    ((kind, recipient, urgency, data),) = notified(sql)
    assert (kind, recipient, urgency) == ("group", DEPARTMENT, "urgent")
    assert (data["case_no"], data["reason"]) == (supervision_of, "清理路边垃圾并回复")
    assert data["due_at"] == due.isoformat()
    assert (task.candidate_group, as_utc(task.due_at)) == (DEPARTMENT, due)
    timers = supervision.timers()
    assert set(timers) == {"answer_warning", "answer_overdue"}
    warn = as_utc(timers["answer_warning"].due_at)
    assert warn == WORKING_TIME.deadline(cst(2, 9), 3.2, "working_hours")
    assert warn is not None and warn < due

    clock.set(cst(2, 10, 30))
    answer(supervision)
    assert set(supervision.ready()) == {"review_supervision_answer"}
    assert supervision.ready()["review_supervision_answer"].candidate_group == "supervisor"
    assert supervision.timers() == {}
    supervision.complete("review_supervision_answer", {"review": {"accepted": True}}, "super1")
    assert supervision.status == "completed"
    data = supervision.data()
    assert (data["answered_on_time"], data["rounds"], data["case_no"]) == (True, 1, supervision_of)
    assert (data["answer_due_at"], data["due_at"]) == (due.isoformat(), None)
    assert set(supervision.timers("cancelled")) == {"answer_warning", "answer_overdue"}


def test_overdue_raises_a_second_level_supervision(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    supervision = issue(city_bus, db, open_case(city_bus, db), review_group="shift_lead")
    warn_at, due_at = (as_utc(supervision.timers()[t].due_at) for t in ("answer_warning", "answer_overdue"))
    assert warn_at is not None and due_at is not None
    clock.set(warn_at)
    fire_due(city_bus)
    assert set(supervision.ready()) == {"answer_supervision"}  # the warning is a light, no task
    assert set(supervision.timers("fired")) == {"answer_warning"}

    clock.set(due_at)
    fire_due(city_bus)
    ready = supervision.ready()
    assert set(ready) == {"answer_supervision", "escalate_supervision"}  # the department's task stays open
    assert ready["escalate_supervision"].candidate_group == "supervisor"

    clock.advance(hours=1)
    answer(supervision)
    ready = supervision.ready()
    assert set(ready) == {"review_supervision_answer"}  # the answer ends the 二级督办 too
    assert ready["review_supervision_answer"].candidate_group == "shift_lead"
    assert [t.state for t in supervision.tasks("escalate_supervision")] == ["cancelled"]
    supervision.complete("review_supervision_answer", {"review": {"accepted": True}}, "lead1")
    data = supervision.data()
    assert (data["answered_on_time"], data["rounds"]) == (False, 1)


def test_not_satisfied_goes_back_with_a_new_deadline(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                     sql: Callable[..., list[Any]]) -> None:
    clock.set(cst(2, 9))
    supervision = issue(city_bus, db, open_case(city_bus, db))
    clock.set(cst(2, 10))
    answer(supervision, done="已安排")
    clock.set(cst(2, 11))
    supervision.complete("review_supervision_answer", {"review": {
        "accepted": False, "comment": "请附清运照片", "amount": 1, "unit": "working_days"}}, "super1")
    assert send_notifications(city_bus) == 1  # told again, with the comment and the new deadline
    rounds = supervision.tasks("answer_supervision")
    assert [t.state for t in rounds] == ["completed", "ready"]
    assert as_utc(rounds[1].due_at) == WORKING_TIME.deadline(cst(2, 11), 1, "working_days")
    assert as_utc(rounds[1].due_at) != as_utc(rounds[0].due_at)
    assert set(supervision.timers()) == {"answer_warning", "answer_overdue"}
    assert [n[3]["reason"] for n in notified(sql)] == ["清理路边垃圾并回复", "请附清运照片"]

    clock.set(cst(2, 15))
    answer(supervision, done="已清运，照片见附件")
    supervision.complete("review_supervision_answer", {"review": {"accepted": True}}, "super1")
    data = supervision.data()
    assert (data["rounds"], data["comments"], data["answer"]["done"]) == (2, ["请附清运照片"], "已清运，照片见附件")


@pytest.mark.parametrize(("review", "field"), [
    ({"accepted": False, "amount": 1, "unit": "working_days"}, "review.comment"),
    ({"accepted": False, "comment": "不够", "unit": "working_days"}, "review.amount"),
    ({"accepted": False, "comment": "不够", "amount": 2, "unit": "weeks"}, "review.unit"),
])
def test_a_refusal_needs_a_comment_and_a_deadline(bus_for_model: MessageBus, db: Engine, clock: FakeClock,
                                                  snapshot: Snapshot, review: dict[str, Any], field: str) -> None:
    clock.set(cst(2, 9))
    supervision = issue(bus_for_model, db, open_case(bus_for_model, db))
    answer(supervision)
    before = snapshot(supervision.case_id)
    with pytest.raises(FormRejected) as refused:
        supervision.complete("review_supervision_answer", {"review": review}, "super1")
    assert refused.value.field == field
    assert snapshot(supervision.case_id) == before


@pytest.mark.parametrize(("overrides", "field"), [
    ({"reply_within": {"amount": 0, "unit": "working_hours"}}, "reply_within.amount"),
    ({"reply_within": {"amount": 2, "unit": "fortnights"}}, "reply_within.unit"),
    ({"instruction": " "}, "instruction"),
    ({"department": ""}, "department"),
])
def test_the_model_checks_the_start_data(bus_for_model: MessageBus, db: Engine, clock: FakeClock,
                                         overrides: dict[str, Any], field: str) -> None:
    clock.set(cst(2, 9))
    case_no = open_case(bus_for_model, db)
    with pytest.raises(FormRejected) as refused:
        issue(bus_for_model, db, case_no, **overrides)
    assert refused.value.field == field


@pytest.fixture
def bus_for_model(make_city_bus: Callable[..., MessageBus]) -> MessageBus:
    """The city's processes with the workflow cache (the model's own checks)."""
    return make_city_bus()


@pytest.fixture
def forms_bus(make_city_bus: Callable[..., MessageBus]) -> MessageBus:
    """The city's processes with their forms checked, as every hand start checks them."""
    return make_city_bus(workflows_dir=ROOT / "workflows")


def hand_start(bus: MessageBus, case_no: str) -> None:
    data = {"case_no": case_no, "instruction": "回复", "reply_within": {"amount": 1, "unit": "working_days"}}
    bus.handle(c.StartCase("case_supervision", data, "lead1", check_form=True))


def test_refused_for_an_unknown_or_closed_case(forms_bus: MessageBus, db: Engine, clock: FakeClock,
                                               sql: Callable[..., list[Any]]) -> None:
    clock.set(cst(2, 9))
    with pytest.raises(FieldsRejected) as unknown:
        hand_start(forms_bus, "20261102999999")
    assert unknown.value.fields == {"case_no": "no open case 20261102999999 (unknown or closed)"}

    voided = start(forms_bus, db, report())
    if "verify_report" in voided.ready():
        voided.complete("verify_report", {"verification": {"found": True}})
    voided.complete("file_or_void", {"filing": {"decision": "void", "void_reason": "duplicate"}})
    assert voided.status == "completed"
    (row,) = sql("SELECT case_no FROM case_summaries WHERE case_id = :id", id=voided.case_id)
    with pytest.raises(FieldsRejected) as closed:
        hand_start(forms_bus, row.case_no)
    assert closed.value.fields == {"case_no": f"no open case {row.case_no} (unknown or closed)"}
    assert sql("SELECT id FROM cases WHERE process_id = 'case_supervision'") == []
