"""Loops through the case lifecycle: returns, re-dispatches, extensions, a suspension and reworks in one case,
and a case whose timers fire between the loops — each still completes, with the right counters and due time,
no task left open, and an intact audit chain."""

from __future__ import annotations

from fixture_types import Problems, Sql
from lifecycle import DEPARTMENT, DISPOSED, Case, approve_return, close, cst, due, fire_due, report, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

PARKS = "350602-D05"


def at(clock: FakeClock, hour: int, minute: int, day: int = 2) -> None:
    clock.set(cst(day, hour, minute))


def give_back(case: Case) -> None:
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "非本单位职责"}})
    approve_return(case)


def extend(case: Case, amount: float) -> None:
    request = {"outcome": "extension", "reason": "量大", "extension_amount": amount}
    case.complete("dispose_problem", {"disposal": request})
    case.complete("review_extension", {"extension_review": {"approved": True}})


def rework(case: Case) -> None:
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": False, "note": "仍有残留"}})


def nothing_left_open(case: Case, sql: Sql) -> None:
    assert case.status == "completed" and case.ready() == {} and case.timers() == {}
    open_tasks = sql("SELECT COUNT(*) AS n FROM human_tasks WHERE case_id = :id AND state NOT IN"
                     " ('completed', 'cancelled')", id=case.case_id)
    assert open_tasks[0].n == 0


def test_returns_extensions_a_suspension_and_reworks_in_one_case(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                                 sql: Sql, chain_problems: Problems) -> None:
    at(clock, 9, 0)
    case = to_disposal(city_bus, db, report())
    at(clock, 9, 10)
    give_back(case)
    at(clock, 9, 20)
    case.complete("confirm_dispatch", {"dispatch": {"department": PARKS, "reason": "属园林管养"}})
    at(clock, 9, 30)
    give_back(case)
    at(clock, 9, 40)
    case.complete("confirm_dispatch", {"dispatch": {}})
    assert due(case, "disposal_overdue") == cst(2, 11, 40)  # 2 working hours from the last dispatch
    at(clock, 10, 0)
    extend(case, 1)
    assert due(case, "disposal_overdue") == cst(2, 15, 10)  # 3 h: 09:40–12:00, then 40 min after lunch
    at(clock, 10, 10)
    extend(case, 2)
    assert due(case, "disposal_overdue") == cst(2, 17, 10)  # 5 h
    at(clock, 10, 20)
    case.complete("dispose_problem", {"disposal": {"outcome": "suspension", "reason": "等待断电"}})
    at(clock, 10, 30)
    case.complete("review_suspension", {"suspension_review": {"approved": True}})
    at(clock, 14, 30)
    case.complete("resume_disposal", {})
    # 50 min counted before the suspension (09:40–10:30); 4 h 10 min from 14:30: 3 h today, 1 h 10 on Tuesday.
    assert due(case, "disposal_overdue") == cst(3, 9, 10)
    for minute in (0, 20):
        at(clock, 15, minute)
        rework(case)
        assert case.ready()["dispose_problem"].candidate_group == DEPARTMENT
        assert due(case, "disposal_overdue") == cst(3, 9, 10)
    at(clock, 15, 40)
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert {k: evaluation[k] for k in ("returns", "wrong_dispatches", "extensions", "suspensions", "reworks",
                                       "overdue", "suspended_working_hours")} == {
        "returns": 2, "wrong_dispatches": 2, "extensions": 2, "suspensions": 1, "reworks": 2, "overdue": 0,
        "suspended_working_hours": 1.5}  # 10:30–12:00
    assert (evaluation["department"], evaluation["dispatch_overridden"], evaluation["on_time"]) == (
        DEPARTMENT, False, True)
    assert (evaluation["dispatched_at"], evaluation["due_at"]) == (
        "2026-11-02T01:40:00+00:00", "2026-11-03T01:10:00+00:00")
    nothing_left_open(case, sql)
    assert chain_problems(case.case_id) == []


def test_a_case_with_timers_firing_between_the_loops_completes(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                              sql: Sql, chain_problems: Problems) -> None:
    at(clock, 9, 0)
    case = to_disposal(city_bus, db, report())
    at(clock, 11, 0)
    assert "fired" in fire_due(city_bus)
    case.complete("acknowledge_warning", {})
    at(clock, 11, 10)
    give_back(case)
    assert case.tasks("supervise_overdue")[0].state == "cancelled"
    at(clock, 11, 20)
    case.complete("confirm_dispatch", {"dispatch": {}})
    assert due(case, "disposal_overdue") == cst(2, 15, 50)  # 40 min before lunch, 80 min after
    assert due(case, "disposal_warning") == cst(2, 15, 26)  # 96 min: 40 + 56
    at(clock, 15, 26)
    assert fire_due(city_bus) == ["fired"]
    at(clock, 15, 30)
    extend(case, 1)
    assert due(case, "disposal_overdue") == cst(2, 16, 50)  # 3 h: 40 min + 2 h 20 min
    at(clock, 16, 50)
    assert "fired" in fire_due(city_bus)
    assert case.ready()["supervise_overdue"].candidate_group == "supervisor"
    at(clock, 17, 0)
    rework(case)
    fire_due(city_bus)
    at(clock, 17, 10)
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case, "overdue")
    assert {k: evaluation[k] for k in ("returns", "wrong_dispatches", "extensions", "reworks", "on_time")} == {
        "returns": 1, "wrong_dispatches": 0, "extensions": 1, "reworks": 1, "on_time": False}
    nothing_left_open(case, sql)
    assert chain_problems(case.case_id) == []
