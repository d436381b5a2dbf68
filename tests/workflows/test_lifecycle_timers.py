"""Disposal timers: the 80 % warning (预警) for the department, the overdue 督办 and the second escalation
(二级督办) for the supervisor; finishing the disposal cancels what is still open; a round re-entered after the
warning time gives no second warning; an overdue disposal is counted and suggested as an "overdue" close."""

from __future__ import annotations

from fixture_types import Problems, TaskData
from lifecycle import DEPARTMENT, DISPOSED, Case, cst, fire_due, report, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus


def dispatched_at_nine(bus: MessageBus, db: Engine, clock: FakeClock) -> Case:
    """0601 dispatched Monday 09:00: warning 10:36, due 11:00, second escalation 17:30."""
    clock.set(cst(2, 9))
    return to_disposal(bus, db, report())


def states(case: Case, bpmn_id: str) -> list[str]:
    return [t.state for t in case.tasks(bpmn_id)]


def test_the_warning_at_80_percent_goes_to_the_department(city_bus: MessageBus, db: Engine,
                                                          clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    clock.set(cst(2, 10, 35))
    assert fire_due(city_bus) == []
    clock.set(cst(2, 10, 36))
    assert fire_due(city_bus) == ["fired"]
    assert set(case.ready()) == {"dispose_problem", "acknowledge_warning"}
    warning = case.ready()["acknowledge_warning"]
    assert (warning.lane, warning.candidate_group) == ("department", DEPARTMENT)
    assert set(case.timers("fired")) == {"disposal_warning"}
    assert set(case.timers()) == {"disposal_overdue", "disposal_escalated"}
    case.complete("acknowledge_warning", {"note": "已安排车辆"})
    assert set(case.ready()) == {"dispose_problem"}
    assert states(case, "acknowledge_warning") == ["completed"]


def test_overdue_and_second_escalation_go_to_the_supervisor(city_bus: MessageBus, db: Engine,
                                                            clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    clock.set(cst(2, 11))
    assert "fired" in fire_due(city_bus)
    assert set(case.ready()) == {"dispose_problem", "acknowledge_warning", "supervise_overdue"}
    assert case.ready()["supervise_overdue"].candidate_group == "supervisor"
    case.complete("supervise_overdue", {"note": "已电话督办"})
    clock.set(cst(2, 17, 29))
    assert fire_due(city_bus) == []
    clock.set(cst(2, 17, 30))  # 4 working hours after 11:00: 11:00–12:00 and 14:30–17:30
    assert fire_due(city_bus) == ["fired"]
    assert case.ready()["supervise_escalation"].candidate_group == "supervisor"
    assert set(case.ready()) == {"dispose_problem", "acknowledge_warning", "supervise_escalation"}
    assert states(case, "supervise_overdue") == ["completed"]


def test_an_overdue_disposal_is_counted_and_suggested_overdue(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                              task_data: TaskData, chain_problems: Problems) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    clock.set(cst(2, 17, 30))
    assert "fired" in fire_due(city_bus)
    clock.set(cst(2, 17, 40))  # off duty: the last 10 minutes are not working time
    case.complete("dispose_problem", DISPOSED)
    for bpmn_id in ("acknowledge_warning", "supervise_overdue", "supervise_escalation"):
        assert states(case, bpmn_id) == ["cancelled"], bpmn_id
    assert set(case.ready()) == {"check_on_site"}
    assert case.timers() == {}
    case.complete("check_on_site", {"check": {"passed": True}})
    assert task_data(case.case_id, "close_case")[-1]["suggested_close_type"] == "overdue"
    case.complete("close_case", {"closing": {"close_type": "overdue"}})
    evaluation = case.data()["evaluation"]
    assert (evaluation["overdue"], evaluation["overdue_working_hours"], evaluation["on_time"]) == (1, 4.0, False)
    assert (evaluation["close_type"], evaluation["due_at"], evaluation["disposed_at"]) == (
        "overdue", "2026-11-02T03:00:00+00:00", "2026-11-02T09:40:00+00:00")
    assert chain_problems(case.case_id) == []


def test_disposal_after_the_warning_cancels_it_and_the_pending_timers(city_bus: MessageBus, db: Engine,
                                                                      clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    clock.set(cst(2, 10, 40))
    assert fire_due(city_bus) == ["fired"]
    clock.set(cst(2, 10, 50))
    case.complete("dispose_problem", DISPOSED)
    assert states(case, "acknowledge_warning") == ["cancelled"]
    assert set(case.timers("cancelled")) == {"disposal_overdue", "disposal_escalated"}
    assert set(case.timers("fired")) == {"disposal_warning"}
    clock.set(cst(2, 18))
    assert fire_due(city_bus) == []
    assert case.tasks("supervise_overdue") == [] and case.tasks("supervise_escalation") == []


def test_a_round_re_entered_after_the_warning_gives_no_second_warning(city_bus: MessageBus, db: Engine,
                                                                      clock: FakeClock) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    clock.set(cst(2, 10, 36))
    assert fire_due(city_bus) == ["fired"]
    clock.set(cst(2, 10, 40))
    case.complete("dispose_problem", {"disposal": {"outcome": "extension", "reason": "量大", "extension_amount": 1}})
    assert states(case, "acknowledge_warning") == ["cancelled"]
    clock.set(cst(2, 10, 45))
    case.complete("review_extension", {"extension_review": {"approved": False}})
    fire_due(city_bus)
    assert set(case.ready()) == {"dispose_problem"}
    assert states(case, "acknowledge_warning") == ["cancelled"]
    assert {k: as_utc(t.due_at) for k, t in case.timers().items()} == {
        "disposal_overdue": cst(2, 11), "disposal_escalated": cst(2, 17, 30)}
    clock.set(cst(2, 11))
    assert fire_due(city_bus) == ["fired"]
    assert set(case.ready()) == {"dispose_problem", "supervise_overdue"}
    assert states(case, "acknowledge_warning") == ["cancelled"]


def test_a_disposal_on_time_suggests_a_normal_close(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                    task_data: TaskData) -> None:
    case = dispatched_at_nine(city_bus, db, clock)
    clock.set(cst(2, 11))  # exactly at the deadline is still on time
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": True}})
    assert task_data(case.case_id, "close_case")[-1]["suggested_close_type"] == "normal"
    case.complete("close_case", {"closing": {"close_type": "normal"}})
    evaluation = case.data()["evaluation"]
    assert (evaluation["on_time"], evaluation["overdue"], evaluation["overdue_working_hours"]) == (True, 0, 0)
