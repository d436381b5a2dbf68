"""Return (回退): a department sends the case back, the shift lead approves (回退审批, test_lifecycle_return_approval
covers refusals), and the dispatcher dispatches it again; returns are counted, re-dispatching elsewhere counts a
wrong dispatch, and the disposal clock restarts at the new dispatch."""

from __future__ import annotations

import sqlalchemy as sa
from fixture_types import Problems, TaskData
from lifecycle import DEPARTMENT, DISPOSED, Case, approve_return, close, cst, due, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

PARKS = "350602-D05"
TIMERS = {"disposal_warning", "disposal_overdue", "disposal_escalated"}


def send_back(case: Case, reason: str = "不属于本单位职责") -> None:
    """The department returns the case and the shift lead approves the return."""
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": reason}})
    approve_return(case)


def test_a_returned_case_goes_back_to_the_dispatcher(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                     task_data: TaskData) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db)
    clock.set(cst(2, 9, 30))
    send_back(case)
    assert set(case.ready()) == {"confirm_dispatch"}
    assert case.ready()["confirm_dispatch"].candidate_group == "dispatcher"
    assert [t.state for t in case.tasks("confirm_dispatch")] == ["completed", "ready"]
    assert case.timers() == {} and set(case.timers("cancelled")) == TIMERS
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert data["returned"] == {"by": DEPARTMENT, "reason": "不属于本单位职责", "at": "2026-11-02T01:30:00+00:00"}
    assert (data["counters"]["returns"], data["dispatch"]) == (1, None)
    assert data["disposal_unit"] == DEPARTMENT  # the rules were asked again


def test_the_clock_restarts_at_the_new_dispatch(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db)
    clock.set(cst(2, 10))
    send_back(case)
    clock.set(cst(2, 10, 30))
    case.complete("confirm_dispatch", {"dispatch": {"department": PARKS, "reason": "属园林管养"}})
    assert case.ready()["dispose_problem"].candidate_group == PARKS
    assert due(case, "disposal_overdue") == cst(2, 15)  # 10:30–12:00 is 1.5 h, then 14:30–15:00
    assert due(case, "disposal_warning") == cst(2, 14, 36)  # 1.6 h
    assert due(case, "disposal_escalated") == cst(3, 9, 30)  # 15:00–17:30 is 2.5 h, then 1.5 h on Tuesday


def test_re_dispatching_elsewhere_counts_a_wrong_dispatch(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                          chain_problems: Problems) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db)
    send_back(case)
    case.complete("confirm_dispatch", {"dispatch": {"department": PARKS, "reason": "属园林管养"}})
    clock.set(cst(2, 10))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["returns"], evaluation["wrong_dispatches"]) == (1, 1)
    assert (evaluation["department"], evaluation["dispatch_overridden"]) == (PARKS, True)
    assert chain_problems(case.case_id) == []
    with db.connect() as conn:  # the KPIs charge the return to the department that sent the case back
        facts = conn.execute(sa.text("SELECT department, returned_by, returns FROM case_facts WHERE case_id = :id"),
                             {"id": case.case_id}).one()
    assert tuple(facts) == (PARKS, DEPARTMENT, 1)


def test_dispatching_back_to_the_same_department_is_not_a_wrong_dispatch(city_bus: MessageBus, db: Engine) -> None:
    case = to_disposal(city_bus, db)
    send_back(case, "人手不足")
    case.complete("confirm_dispatch", {"dispatch": {}})
    assert case.ready()["dispose_problem"].candidate_group == DEPARTMENT
    assert sorted(t.state for t in case.tasks("dispose_problem")) == ["completed", "ready"]
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["returns"], evaluation["wrong_dispatches"], evaluation["department"]) == (1, 0, DEPARTMENT)


def test_an_overridden_dispatch_corrected_to_the_rules_counts_a_wrong_dispatch(city_bus: MessageBus,
                                                                              db: Engine) -> None:
    case = to_disposal(city_bus, db, dispatch={"department": PARKS, "reason": "以为在绿地内"})
    send_back(case, "垃圾在人行道上")
    case.complete("confirm_dispatch", {"dispatch": {}})  # the rules' suggestion, no reason needed
    assert case.ready()["dispose_problem"].candidate_group == DEPARTMENT
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["wrong_dispatches"], evaluation["dispatch_overridden"]) == (1, False)


def test_two_returns_are_both_counted(city_bus: MessageBus, db: Engine) -> None:
    case = to_disposal(city_bus, db)
    send_back(case)
    case.complete("confirm_dispatch", {"dispatch": {"department": PARKS, "reason": "属园林管养"}})
    send_back(case, "不在绿地内")
    case.complete("confirm_dispatch", {"dispatch": {}})
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["returns"], evaluation["wrong_dispatches"], evaluation["department"]) == (2, 2, DEPARTMENT)
