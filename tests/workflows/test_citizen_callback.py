"""The 回访 model (workflows/citizen_callback.bpmn, process citizen_callback): explained, reopen, the overdue timer
telling the shift leads while the task stays open, and a refused answer writing nothing. Each path runs hot and cold
(restored from the rows at every step: the serializer's round trip), every command is checked against the stored
state, and every case is replayed after the test. The city's hook (city.citizens.callback) finds no rating for
these cases and leaves them alone: its effects are tested in tests/integration/test_citizen_rating.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fixture_types import Snapshot
from lifecycle import Case, cst, fire_due, rejected, send_notifications
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import FormRejected, NotAllowed
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus
from web.settings import Settings

WORKING_TIME = Settings.from_env({}).working_time()
START = {"case_no": "20260102000001", "case_id": 1, "rating": "dissatisfied", "comment": "垃圾还在",
         "report_id": 1, "rated_at": "2026-01-02T01:00:00+00:00", "subtype": "0601", "subtype_name": "暴露垃圾",
         "description": "路边垃圾"}


def request(bus: MessageBus, db: Engine, **overrides: Any) -> Case:
    ref = bus.handle(c.StartCase("citizen_callback", {**START, **overrides}, "public:citizen"))
    return Case(bus, db, ref.case_id)


def test_explained(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    clock.set(cst(5, 9))  # a Monday
    case = request(city_bus, db)
    task = case.ready()["call_back_citizen"]
    assert task.candidate_group == "seat_operator"
    assert as_utc(task.due_at) == WORKING_TIME.deadline(cst(5, 9), 2, "working_days")
    case.complete("call_back_citizen", {"callback": {"outcome": "explained", "note": "已向市民说明清运时间"}},
                  "seat001")
    assert case.status == "completed"
    data = case.data()
    assert (data["outcome"], data["due_at"]) == ("explained", None)
    assert case.timers() == {}


def test_reopen(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    clock.set(cst(5, 9))
    case = request(city_bus, db)
    case.complete("call_back_citizen", {"callback": {"outcome": "reopen", "note": "垃圾仍未清运，重新派遣"}},
                  "seat001")
    assert case.status == "completed"
    assert case.data()["outcome"] == "reopen"
    with db.connect() as conn:
        ends = [r[0] for r in conn.exec_driver_sql(
            "SELECT bpmn_id FROM case_events WHERE case_id = ? AND event_type = 'case_completed'", (case.case_id,))]
    assert len(ends) == 1


def test_overdue_tells_the_shift_leads_and_the_task_stays(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                          sql: Callable[..., list[Any]]) -> None:
    clock.set(cst(5, 9))
    case = request(city_bus, db)
    due = as_utc(case.timers()["callback_overdue"].due_at)
    assert due is not None
    clock.set(due)
    fire_due(city_bus)
    assert case.timers() == {}  # fired once (a date timer)
    assert send_notifications(city_bus) == 1
    rows = sql("SELECT recipient_kind, recipient, urgency, data FROM notifications WHERE kind = 'task_overdue'")
    ((kind, recipient, urgency, data),) = [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]
    assert (kind, recipient, urgency, data["case_no"]) == ("group", "shift_lead", "urgent", START["case_no"])
    assert set(case.ready()) == {"call_back_citizen"}  # still open: the operators must still call back
    case.complete("call_back_citizen", {"callback": {"outcome": "explained", "note": "已说明"}}, "seat001")
    assert case.status == "completed"


def test_refused_answers_write_nothing(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                       snapshot: Snapshot) -> None:
    clock.set(cst(5, 9))
    case = request(city_bus, db)
    assert rejected(case, "call_back_citizen", {"callback": {"outcome": "explained", "note": "  "}},
                    snapshot) == "callback.note"
    assert rejected(case, "call_back_citizen", {"callback": {"outcome": "ignore", "note": "x"}},
                    snapshot) == "callback.outcome"
    assert set(case.ready()) == {"call_back_citizen"}


def test_a_start_without_the_rated_case_is_refused(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                   sql: Callable[..., list[Any]]) -> None:
    clock.set(cst(5, 9))
    with pytest.raises(FormRejected) as refused:
        request(city_bus, db, case_no="")
    assert refused.value.field == "case_no"
    assert sql("SELECT COUNT(*) FROM cases")[0][0] == 0


def test_no_account_starts_a_callback_by_hand(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                              sql: Callable[..., list[Any]]) -> None:
    clock.set(cst(5, 9))
    city_bus.handle(c.AddUser("boss", "Boss", "admin", "a-long-enough-password-1"))
    with pytest.raises(NotAllowed):  # admins included: an empty starter list
        city_bus.handle(c.StartCase("citizen_callback", START, "boss", check_starter=True))
    assert sql("SELECT COUNT(*) FROM cases")[0][0] == 0
