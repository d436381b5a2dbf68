"""Suspension (挂账): the department asks to suspend, the shift lead approves (the case waits for resume_disposal,
no disposal task and no timers meanwhile, and the suspended working time does not count towards the deadline)
or refuses (back to disposal, deadline unchanged); suspensions and suspended hours reach the evaluation."""

from __future__ import annotations

from fixture_types import TaskData
from lifecycle import DISPOSED, Case, close, cst, due, fire_due, report, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus


def suspended(bus: MessageBus, db: Engine, clock: FakeClock, approved: bool = True) -> Case:
    """Dispatched Monday 09:00 (due 11:00); suspension asked at 09:30 and decided at 10:00."""
    clock.set(cst(2, 9))
    case = to_disposal(bus, db, report())
    clock.set(cst(2, 9, 30))
    ask_suspension(case)
    assert case.ready()["review_suspension"].candidate_group == "shift_lead"
    clock.set(cst(2, 10))
    case.complete("review_suspension", {"suspension_review": {"approved": approved}})
    return case


def ask_suspension(case: Case) -> None:
    case.complete("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "待供电部门断电后清理"}})


def test_an_approved_suspension_waits_for_the_shift_lead(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                         task_data: TaskData) -> None:
    case = suspended(city_bus, db, clock)
    assert set(case.ready()) == {"resume_disposal"}
    resume = case.ready()["resume_disposal"]
    assert (resume.lane, resume.candidate_group) == ("shift_lead", "shift_lead")
    assert case.timers() == {}
    data = task_data(case.case_id, "resume_disposal")[-1]
    assert (data["counters"]["suspensions"], data["suspended_at"]) == (1, "2026-11-02T02:00:00+00:00")
    clock.set(cst(2, 18))  # long past the original deadline: nothing fires while suspended
    assert fire_due(city_bus) == []
    assert set(case.ready()) == {"resume_disposal"}


def test_suspended_time_does_not_count(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = suspended(city_bus, db, clock)
    clock.set(cst(2, 15))
    case.complete("resume_disposal", {})
    assert case.ready()["dispose_problem"].candidate_group == "350602-D02"
    # 1 working hour used before the suspension (09:00–10:00); the other hour runs from 15:00.
    assert due(case, "disposal_overdue") == cst(2, 16)
    assert due(case, "disposal_warning") == cst(2, 15, 36)
    assert due(case, "disposal_escalated") == cst(3, 10, 30)  # 16:00–17:30 is 1.5 h, then Tuesday 08:00–10:30
    clock.set(cst(2, 15, 50))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["suspensions"], evaluation["suspended_working_hours"]) == (1, 2.5)  # 10:00–12:00, 14:30–15:00
    assert (evaluation["on_time"], evaluation["overdue"]) == (True, 0)


def test_an_overnight_suspension_shifts_the_deadline_by_its_working_time(city_bus: MessageBus, db: Engine,
                                                                         clock: FakeClock) -> None:
    case = suspended(city_bus, db, clock)
    clock.set(cst(3, 9))
    case.complete("resume_disposal", {})
    # Suspended 10:00 Monday – 09:00 Tuesday: 2 + 3 + 1 = 6 working hours; 11:00 + 6 working hours.
    assert due(case, "disposal_overdue") == cst(3, 10)
    assert due(case, "disposal_warning") == cst(3, 9, 36)
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["suspensions"], evaluation["suspended_working_hours"], evaluation["on_time"]) == (1, 6.0, True)


def test_two_suspensions_add_up(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = suspended(city_bus, db, clock)
    clock.set(cst(2, 10, 30))
    case.complete("resume_disposal", {})
    clock.set(cst(2, 10, 40))
    ask_suspension(case)
    clock.set(cst(2, 11))
    case.complete("review_suspension", {"suspension_review": {"approved": True}})
    clock.set(cst(2, 14, 30))
    case.complete("resume_disposal", {})
    # Counting: 09:00–10:00 and 10:30–11:00 (1.5 h), then 14:30–15:00.
    assert due(case, "disposal_overdue") == cst(2, 15)
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["suspensions"], evaluation["suspended_working_hours"]) == (2, 1.5)  # 10:00–10:30, 11:00–12:00


def test_a_refused_suspension_goes_back_to_disposal(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = suspended(city_bus, db, clock, approved=False)
    assert set(case.ready()) == {"dispose_problem"}
    assert case.tasks("resume_disposal") == []
    assert due(case, "disposal_overdue") == cst(2, 11)
    assert due(case, "disposal_warning") == cst(2, 10, 36)
    assert due(case, "disposal_escalated") == cst(2, 17, 30)
    clock.set(cst(2, 10, 30))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["suspensions"], evaluation["suspended_working_hours"], evaluation["on_time"]) == (0, 0, True)
