"""回退审批: a department's return goes to the shift lead first. Approved, it goes back to 派遣 as before (counted as
a return); refused, the same department gets a new disposal round with the shift lead's reason, and the deadline
keeps running as for a refused 延期. A refusal without a reason is refused naming the field, nothing written."""

from __future__ import annotations

from fixture_types import Snapshot, TaskData
from lifecycle import DEPARTMENT, DISPOSED, Case, approve_return, close, cst, due, rejected, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

TIMERS = {"disposal_warning", "disposal_overdue", "disposal_escalated"}


def ask_return(case: Case, reason: str = "不属于本单位职责") -> None:
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": reason}})


def returned_at_ten(bus: MessageBus, db: Engine, clock: FakeClock) -> Case:
    """Dispatched at 09:00 (due 11:00), the return asked at 10:00: review_return is ready."""
    clock.set(cst(2, 9))
    case = to_disposal(bus, db)
    clock.set(cst(2, 10))
    ask_return(case)
    return case


def test_a_return_goes_to_the_shift_lead_first(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                               task_data: TaskData) -> None:
    case = returned_at_ten(city_bus, db, clock)
    assert set(case.ready()) == {"review_return"}
    assert case.ready()["review_return"].candidate_group == "shift_lead"
    assert case.timers() == {} and set(case.timers("cancelled")) == TIMERS
    data = task_data(case.case_id, "review_return")[-1]
    assert data["disposal"] == {"outcome": "return", "reason": "不属于本单位职责"}
    assert data["counters"]["returns"] == 0  # counted once approved


def test_an_approved_return_goes_back_to_dispatch(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                  task_data: TaskData) -> None:
    case = returned_at_ten(city_bus, db, clock)
    clock.set(cst(2, 10, 15))
    approve_return(case, comment="同意改派")
    assert set(case.ready()) == {"confirm_dispatch"}
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert data["returned"] == {"by": DEPARTMENT, "reason": "不属于本单位职责", "at": "2026-11-02T02:00:00+00:00"}
    assert (data["counters"]["returns"], data["dispatch"]) == (1, None)
    case.complete("confirm_dispatch", {"dispatch": {}})
    assert due(case, "disposal_overdue") == cst(2, 14, 45)  # a new clock: 10:15–12:00 is 1.75 h, then 14:30–14:45
    case.complete("dispose_problem", DISPOSED)
    assert close(case)["returns"] == 1


def test_a_refused_return_goes_back_to_the_department_with_the_reason(city_bus: MessageBus, db: Engine,
                                                                      clock: FakeClock,
                                                                      task_data: TaskData) -> None:
    case = returned_at_ten(city_bus, db, clock)
    clock.set(cst(2, 10, 15))
    approve_return(case, approved=False, comment="属于本单位职责，请继续处置")
    assert set(case.ready()) == {"dispose_problem"}
    assert case.ready()["dispose_problem"].candidate_group == DEPARTMENT
    data = task_data(case.case_id, "dispose_problem")[-1]
    assert data["return_refusal"] == {"by": DEPARTMENT, "reason": "属于本单位职责，请继续处置",
                                      "requested": "不属于本单位职责", "at": "2026-11-02T02:15:00+00:00"}
    assert data["disposal"] is None and data["counters"]["returns"] == 0
    # The deadline keeps running from the dispatch, as for a refused 延期.
    assert due(case, "disposal_overdue") == cst(2, 11)
    assert due(case, "disposal_warning") == cst(2, 10, 36)
    clock.set(cst(2, 11, 30))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case, "overdue")
    assert (evaluation["returns"], evaluation["overdue"], evaluation["department"]) == (0, 1, DEPARTMENT)


def test_a_refusal_without_a_reason_is_refused_naming_the_field(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                                 snapshot: Snapshot) -> None:
    case = returned_at_ten(city_bus, db, clock)
    refusal = {"return_review": {"approved": False}}
    assert rejected(case, "review_return", refusal, snapshot) == "return_review.comment"
    blank = {"return_review": {"approved": False, "comment": "  "}}
    assert rejected(case, "review_return", blank, snapshot) == "return_review.comment"
    assert rejected(case, "review_return", {"return_review": {}}, snapshot) == "return_review.approved"
    assert rejected(case, "review_return", {}, snapshot) == "return_review.approved"
    assert set(case.ready()) == {"review_return"}


def test_refused_then_approved_returns(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    case = returned_at_ten(city_bus, db, clock)
    approve_return(case, approved=False, comment="请先到现场查看")
    ask_return(case, "现场确认不属本单位")
    approve_return(case)
    case.complete("confirm_dispatch", {"dispatch": {"department": "350602-D05", "reason": "属园林管养"}})
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["returns"], evaluation["wrong_dispatches"]) == (1, 1)
