"""On-site check (核查) and rework (返工): a failed check sends the case back to the SAME department, counted,
without restarting the disposal clock; a passed check leads to the close (结案)."""

from __future__ import annotations

from fixture_types import Problems, TaskData
from lifecycle import DEPARTMENT, DISPOSED, Case, close, cst, due, fire_due, report, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

PARKS = "350602-D05"


def fail_check(case: Case, note: str | None = "地面仍有残留") -> None:
    assert case.ready()["check_on_site"].candidate_group == "collector:350602"
    case.complete("check_on_site", {"check": {"passed": False, **({"note": note} if note else {})}})


def test_a_failed_check_sends_the_case_back_to_the_same_department(city_bus: MessageBus, db: Engine,
                                                                   clock: FakeClock, task_data: TaskData,
                                                                   chain_problems: Problems) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db, report())
    clock.set(cst(2, 9, 40))
    case.complete("dispose_problem", DISPOSED)
    clock.set(cst(2, 10))
    fail_check(case)
    assert set(case.ready()) == {"dispose_problem"}
    assert case.ready()["dispose_problem"].candidate_group == DEPARTMENT
    data = task_data(case.case_id, "dispose_problem")[-1]
    assert data["rework"] == {"reason": "地面仍有残留", "at": "2026-11-02T02:00:00+00:00"}
    assert data["counters"]["reworks"] == 1
    assert due(case, "disposal_overdue") == cst(2, 11)  # the clock still runs from the dispatch
    assert due(case, "disposal_warning") == cst(2, 10, 36)
    clock.set(cst(2, 10, 20))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["reworks"], evaluation["on_time"], evaluation["department"]) == (1, True, DEPARTMENT)
    assert evaluation["disposed_at"] == "2026-11-02T02:20:00+00:00"  # the last disposal
    assert chain_problems(case.case_id) == []


def test_rework_of_an_overridden_dispatch_stays_with_the_chosen_department(city_bus: MessageBus,
                                                                          db: Engine) -> None:
    case = to_disposal(city_bus, db, dispatch={"department": PARKS, "reason": "属园林管养"})
    case.complete("dispose_problem", DISPOSED)
    fail_check(case, note=None)
    assert case.ready()["dispose_problem"].candidate_group == PARKS
    case.complete("dispose_problem", DISPOSED)
    fail_check(case)
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["reworks"], evaluation["department"], evaluation["returns"]) == (2, PARKS, 0)


def test_a_failed_check_without_a_note_gets_a_default_reason(city_bus: MessageBus, db: Engine,
                                                             task_data: TaskData) -> None:
    case = to_disposal(city_bus, db)
    case.complete("dispose_problem", DISPOSED)
    fail_check(case, note=None)
    assert task_data(case.case_id, "dispose_problem")[-1]["rework"]["reason"] == "核查未通过"


def test_overdue_hours_are_not_counted_twice_after_a_rework(city_bus: MessageBus, db: Engine,
                                                            clock: FakeClock) -> None:
    """Due 11:00; disposed 11:30, check failed at once, disposed again 11:45: the case was overdue for 45 working
    minutes. record_disposal adds elapsed(due_at, disposed_at) on every round, so 11:00–11:30 counts twice."""
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db)
    clock.set(cst(2, 11, 30))
    fire_due(city_bus)
    case.complete("dispose_problem", DISPOSED)
    fail_check(case)
    fire_due(city_bus)
    clock.set(cst(2, 11, 45))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case, "overdue")
    assert (evaluation["on_time"], evaluation["reworks"]) == (False, 1)
    assert evaluation["overdue_working_hours"] == 0.75
