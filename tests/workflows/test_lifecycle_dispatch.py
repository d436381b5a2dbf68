"""Dispatch (派遣): the responsibility rules suggest the department, the dispatcher confirms or overrides it
(an override needs a reason), and the chosen department gets the disposal task and is recorded for evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from fixture_types import Snapshot, TaskData
from lifecycle import DEPARTMENT, DISPOSED, close, cst, due, rejected, report, to_dispatch, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

PARKS = "350602-D05"  # not the department the rules suggest for 0601


def test_the_dispatcher_sees_the_suggestion_of_the_rules(city_bus: MessageBus, db: Engine,
                                                         task_data: TaskData) -> None:
    case = to_dispatch(city_bus, db, report())
    data = task_data(case.case_id, "confirm_dispatch")[-1]
    assert (data["disposal_unit"], data["owner_unit"], data["competent_department"]) == (DEPARTMENT, DEPARTMENT, "C03")
    assert (data["limit_amount"], data["limit_unit"], data["closing_standard"]) == (
        2, "working_hours", "垃圾清理干净，地面无残留")


@pytest.mark.parametrize("dispatch", [{}, {"department": DEPARTMENT}, {"department": DEPARTMENT, "reason": "确认"}])
def test_confirming_the_suggestion_is_not_an_override(city_bus: MessageBus, db: Engine,
                                                      dispatch: dict[str, Any]) -> None:
    case = to_disposal(city_bus, db, dispatch=dispatch)
    assert case.ready()["dispose_problem"].candidate_group == DEPARTMENT
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["department"], evaluation["dispatch_overridden"]) == (DEPARTMENT, False)


def test_an_override_with_a_reason_goes_to_the_chosen_department(city_bus: MessageBus, db: Engine,
                                                                 clock: FakeClock, task_data: TaskData) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db, dispatch={"department": PARKS, "reason": "垃圾在绿地内，属园林管养"})
    dispose = case.ready()["dispose_problem"]
    assert (dispose.lane, dispose.candidate_group) == ("department", PARKS)
    assert due(case, "disposal_overdue") == cst(2, 11)  # the limit still comes from the rules
    assert task_data(case.case_id, "dispose_problem")[-1]["dispatch_overridden"] is True
    clock.set(cst(2, 10))
    case.complete("dispose_problem", DISPOSED)
    evaluation = close(case)
    assert (evaluation["department"], evaluation["dispatch_overridden"], evaluation["wrong_dispatches"]) == (
        PARKS, True, 0)
    assert evaluation["dispatched_at"] == "2026-11-02T01:00:00+00:00"


@pytest.mark.parametrize("dispatch", [{"department": PARKS}, {"department": PARKS, "reason": ""}])
def test_an_override_without_a_reason_is_rejected(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                                  dispatch: dict[str, Any]) -> None:
    case = to_dispatch(city_bus, db, report())
    assert rejected(case, "confirm_dispatch", {"dispatch": dispatch}, snapshot) == "dispatch.reason"
    assert set(case.ready()) == {"confirm_dispatch"}


def test_without_a_matching_rule_the_dispatcher_must_choose(city_bus: MessageBus, db: Engine,
                                                            snapshot: Snapshot) -> None:
    case = to_dispatch(city_bus, db, report(subtype="9999"))  # filed against the out-of-scope advice
    assert rejected(case, "confirm_dispatch", {"dispatch": {}}, snapshot) == "dispatch.department"


def test_without_a_matching_rule_the_dispatcher_gives_the_time_limit(city_bus: MessageBus, db: Engine,
                                                                     snapshot: Snapshot, clock: FakeClock) -> None:
    """No rule matched: the dispatcher chooses the department and gives the time limit the rule would have."""
    clock.set(cst(2, 9))
    case = to_dispatch(city_bus, db, report(subtype="9999"))
    chosen = {"department": PARKS, "reason": "人工指定"}
    assert rejected(case, "confirm_dispatch", {"dispatch": chosen}, snapshot) == "dispatch.limit_amount"
    assert rejected(case, "confirm_dispatch", {"dispatch": {**chosen, "limit_amount": 2, "limit_unit": "weeks"}},
                    snapshot) == "dispatch.limit_unit"
    case.complete("confirm_dispatch", {"dispatch": {**chosen, "limit_amount": 2, "limit_unit": "working_hours"}})
    assert case.ready()["dispose_problem"].candidate_group == PARKS
    assert due(case, "disposal_overdue") == cst(2, 11)
