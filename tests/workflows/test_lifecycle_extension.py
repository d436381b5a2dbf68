"""Extension (延期): the department asks for more time, the shift lead approves (the deadline moves by the granted
amount, in working time from the dispatch) or refuses (the deadline stays); approved extensions are counted."""

from __future__ import annotations

from typing import Any

from fixture_types import TaskData
from lifecycle import DISPOSED, Case, close, cst, due, report, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

TIMERS = {"disposal_warning", "disposal_overdue", "disposal_escalated"}


def ask_extension(case: Case, amount: float) -> None:
    case.complete("dispose_problem", {"disposal": {"outcome": "extension", "reason": "垃圾量大，需调派车辆",
                                                   "extension_amount": amount}})


def review(case: Case, **decision: Any) -> None:
    case.complete("review_extension", {"extension_review": decision})


def dispatched_at_nine(bus: MessageBus, db: Engine, clock: FakeClock) -> Case:
    clock.set(cst(2, 9))
    case = to_disposal(bus, db, report())
    assert due(case, "disposal_overdue") == cst(2, 11)
    clock.set(cst(2, 10))
    return case


def test_an_extension_request_goes_to_the_shift_lead(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                     task_data: TaskData) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    ask_extension(case, 2)
    assert set(case.ready()) == {"review_extension"}
    assert case.ready()["review_extension"].candidate_group == "shift_lead"
    assert case.timers() == {} and set(case.timers("cancelled")) == TIMERS
    assert task_data(case.case_id, "review_extension")[-1]["disposal"]["extension_amount"] == 2


def test_an_approved_extension_moves_the_deadline(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                  task_data: TaskData) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    ask_extension(case, 2)
    clock.set(cst(2, 10, 30))
    review(case, approved=True)
    assert case.ready()["dispose_problem"].candidate_group == "350602-D02"
    # 2 + 2 working hours from 09:00: 09:00–12:00 is 3 h, then 14:30–15:30.
    assert due(case, "disposal_overdue") == cst(2, 15, 30)
    assert due(case, "disposal_warning") == cst(2, 14, 42)  # 3.2 h
    assert due(case, "disposal_escalated") == cst(3, 10)  # 15:30–17:30 is 2 h, then Tuesday 08:00–10:00
    clock.set(cst(2, 15))
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": True}})
    assert task_data(case.case_id, "close_case")[-1]["suggested_close_type"] == "normal"
    case.complete("close_case", {"closing": {"close_type": "normal"}})
    evaluation = case.data()["evaluation"]
    assert (evaluation["extensions"], evaluation["on_time"], evaluation["overdue"]) == (1, True, 0)
    assert evaluation["due_at"] == "2026-11-02T07:30:00+00:00"


def test_a_refused_extension_keeps_the_deadline(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                task_data: TaskData) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    ask_extension(case, 2)
    clock.set(cst(2, 10, 30))
    review(case, approved=False, note="两小时足够")
    assert set(case.ready()) == {"dispose_problem"}
    assert due(case, "disposal_overdue") == cst(2, 11)
    assert due(case, "disposal_warning") == cst(2, 10, 36)
    assert due(case, "disposal_escalated") == cst(2, 17, 30)
    clock.set(cst(2, 11, 30))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case, "overdue")
    assert (evaluation["extensions"], evaluation["overdue"], evaluation["overdue_working_hours"]) == (0, 1, 0.5)


def test_the_shift_lead_may_grant_less_than_asked(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    ask_extension(case, 4)
    review(case, approved=True, amount=1)
    assert due(case, "disposal_overdue") == cst(2, 12)  # 3 working hours from 09:00: exactly the lunch break
    assert due(case, "disposal_warning") == cst(2, 11, 24)  # 2.4 h
    assert due(case, "disposal_escalated") == cst(3, 9)  # 14:30–17:30 is 3 h, then Tuesday 08:00–09:00
    case.complete("dispose_problem", DISPOSED)
    assert close(case)["extensions"] == 1


def test_the_shift_lead_may_grant_more_than_asked(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    ask_extension(case, 0.5)
    review(case, approved=True, amount=5)
    assert due(case, "disposal_overdue") == cst(3, 9)  # 7 working hours: 3 + 3 on Monday, 1 on Tuesday


def test_extensions_add_up(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    ask_extension(case, 1)
    review(case, approved=True)
    assert due(case, "disposal_overdue") == cst(2, 12)
    ask_extension(case, 1)
    review(case, approved=False)
    assert due(case, "disposal_overdue") == cst(2, 12)
    ask_extension(case, 1)
    review(case, approved=True)
    assert due(case, "disposal_overdue") == cst(2, 15, 30)  # 4 working hours: 3 before lunch, 1 after
    case.complete("dispose_problem", DISPOSED)
    assert close(case)["extensions"] == 2
