"""The case lifecycle's main path: a hotline report verified, filed, dispatched by the rules, disposed
on time, checked and closed — with the evaluation facts at the end."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fixture_types import Problems, TaskData
from lifecycle import report, start
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus

CST = ZoneInfo("Asia/Shanghai")


def test_a_hotline_report_runs_to_a_normal_close(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                   chain_problems: Problems, task_data: TaskData) -> None:
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=CST))  # Monday, on duty
    case = start(city_bus, db, report())
    verify = case.ready()["verify_report"]
    assert (verify.lane, verify.candidate_group) == ("collector", "collector:350602")
    case.complete("verify_report", {"verification": {"found": True, "note": "现场确有垃圾"}})
    assert case.ready()["file_or_void"].candidate_group == "shift_lead"
    case.complete("file_or_void", {"filing": {"decision": "file"}})
    assert case.ready()["confirm_dispatch"].candidate_group == "dispatcher"
    (routed,) = task_data(case.case_id, "confirm_dispatch")
    assert routed["responsibility_rules"] == ["r_0601_350602_normal"]  # the rule that routed it, for the case page
    assert routed["priority_rules"] == ["p_default"] and routed["filing_advice_rules"] == ["fa_meets_condition"]
    case.complete("confirm_dispatch", {"dispatch": {}})

    dispose = case.ready()["dispose_problem"]
    assert dispose.candidate_group == "350602-D02"  # the district's sanitation department, from the rules
    timers = case.timers()
    # 暴露垃圾: 2 working hours from 09:00 → 11:00; warning at 80 % → 10:36; 二级督办 4 working hours later.
    assert as_utc(timers["disposal_overdue"].due_at) == datetime(2026, 11, 2, 11, 0, tzinfo=CST)
    assert as_utc(timers["disposal_warning"].due_at) == datetime(2026, 11, 2, 10, 36, tzinfo=CST)
    assert as_utc(timers["disposal_escalated"].due_at) == datetime(2026, 11, 2, 17, 30, tzinfo=CST)

    clock.advance(timedelta(hours=1))
    case.complete("dispose_problem",
                  {"disposal": {"outcome": "disposed", "result": "已清运"}})
    assert set(case.timers("cancelled")) == {"disposal_warning", "disposal_overdue", "disposal_escalated"}
    assert case.ready()["check_on_site"].candidate_group == "collector:350602"
    case.complete("check_on_site", {"check": {"passed": True}})
    case.complete("close_case", {"closing": {"close_type": "normal"}})

    assert case.status == "completed"
    evaluation = case.data()["evaluation"]
    assert evaluation["result"] == "closed"
    assert evaluation["on_time"] is True
    assert (evaluation["reworks"], evaluation["returns"], evaluation["extensions"], evaluation["suspensions"],
            evaluation["overdue"]) == (0, 0, 0, 0, 0)
    assert evaluation["department"] == "350602-D02"
    assert chain_problems(case.case_id) == []
