"""Voiding (作废): duplicates, reports not found on site and locations outside the grids are advised void,
the shift lead's decision needs a valid reason, and a voided case ends with its evaluation facts."""

from __future__ import annotations

from typing import Any

import pytest
from fixture_types import Problems, Snapshot, TaskData
from lifecycle import OUTSIDE, Case, cst, rejected, report, start
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus


def voided(case: Case, reason: str) -> dict[str, Any]:
    case.complete("file_or_void", {"filing": {"decision": "void", "void_reason": reason}})
    assert case.status == "completed"
    assert case.ready() == {} and case.timers() == {}
    return dict(case.data()["evaluation"])


def advice(task_data: TaskData, case: Case) -> tuple[str, str, str]:
    data = task_data(case.case_id, "file_or_void")[-1]
    return data["advice"], data["void_reason"], data["advice_note"]


def test_a_duplicate_is_advised_void_and_voided(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                task_data: TaskData, chain_problems: Problems) -> None:
    clock.set(cst(2, 9))
    case = start(city_bus, db, report(duplicate_of="C-2026-000123"))
    clock.set(cst(2, 9, 20))
    case.complete("verify_report", {"verification": {"found": True}})
    assert advice(task_data, case) == ("void", "duplicate", "与已立案案件重复")
    clock.set(cst(2, 9, 30))
    assert voided(case, "duplicate") == {
        "result": "voided", "void_reason": "duplicate", "channel": "hotline", "subtype": "0601",
        "district": "350602", "reported_at": "2026-11-02T01:00:00+00:00", "voided_at": "2026-11-02T01:30:00+00:00",
        "verified": True, "false_positive": False, "camera_rule": None}
    assert case.tasks("confirm_dispatch") == []
    assert chain_problems(case.case_id) == []


def test_a_report_not_found_on_site_is_voided_as_invalid(city_bus: MessageBus, db: Engine,
                                                         task_data: TaskData) -> None:
    case = start(city_bus, db, report())
    case.complete("verify_report", {"verification": {"found": False, "note": "现场无垃圾"}})
    assert advice(task_data, case) == ("void", "invalid", "现场核实未发现问题")
    evaluation = voided(case, "invalid")
    assert (evaluation["result"], evaluation["void_reason"], evaluation["verified"]) == ("voided", "invalid", True)


def test_a_location_outside_the_grids_is_out_of_scope(city_bus: MessageBus, db: Engine, task_data: TaskData,
                                                      snapshot: Snapshot) -> None:
    case = start(city_bus, db, report(location=dict(OUTSIDE)))
    assert set(case.ready()) == {"file_or_void"}  # nobody is sent to verify outside the grids
    assert case.tasks("verify_report") == []
    assert advice(task_data, case) == ("void", "out_of_scope", "位置不在监管网格范围内")
    assert rejected(case, "file_or_void", {"filing": {"decision": "file"}}, snapshot) == "filing.decision"
    evaluation = voided(case, "out_of_scope")
    assert (evaluation["void_reason"], evaluation["district"], evaluation["verified"]) == (
        "out_of_scope", None, False)


def test_a_patrol_report_voided_was_never_verified(city_bus: MessageBus, db: Engine) -> None:
    case = start(city_bus, db, report(channel="patrol", duplicate_of="C-2026-000123"))
    evaluation = voided(case, "duplicate")
    assert (evaluation["channel"], evaluation["verified"]) == ("patrol", False)


def test_the_shift_lead_may_void_against_the_advice(city_bus: MessageBus, db: Engine,
                                                    task_data: TaskData) -> None:
    case = start(city_bus, db, report())
    case.complete("verify_report", {"verification": {"found": True}})
    assert advice(task_data, case)[0] == "file"
    assert voided(case, "duplicate")["void_reason"] == "duplicate"


def test_the_shift_lead_may_file_against_the_advice(city_bus: MessageBus, db: Engine,
                                                    task_data: TaskData) -> None:
    case = start(city_bus, db, report())
    case.complete("verify_report", {"verification": {"found": False}})
    assert advice(task_data, case)[0] == "void"
    case.complete("file_or_void", {"filing": {"decision": "file"}})
    assert set(case.ready()) == {"confirm_dispatch"}


@pytest.mark.parametrize("filing", [{"decision": "void"}, {"decision": "void", "void_reason": "boring"},
                                    {"decision": "void", "void_reason": None}])
def test_a_void_without_a_valid_reason_is_rejected(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                                   filing: dict[str, Any]) -> None:
    case = start(city_bus, db, report(channel="patrol"))
    assert rejected(case, "file_or_void", {"filing": filing}, snapshot) == "filing.void_reason"
    assert set(case.ready()) == {"file_or_void"}


@pytest.mark.parametrize("data", [{}, {"filing": "file"}, {"filing": {"decision": "later"}}])
def test_a_decision_that_is_neither_file_nor_void_is_rejected(city_bus: MessageBus, db: Engine,
                                                              snapshot: Snapshot, data: dict[str, Any]) -> None:
    case = start(city_bus, db, report(channel="patrol"))
    assert rejected(case, "file_or_void", data, snapshot) == "filing.decision"
