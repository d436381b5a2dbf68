"""Bad case data and odd commands: each is refused with a gridcase error and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fixture_types import HumanTask, Snapshot, Sql

from engine.domain import commands as c
from engine.domain.errors import InvalidCommand, NotFound, ScriptRejected
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus
from engine.service.handlers import CaseRef


def nothing_stored(sql: Sql) -> bool:
    tables = ("cases", "case_events", "workflow_tasks", "human_tasks", "timers", "message_waits")
    return all(sql(f"SELECT COUNT(*) AS n FROM {table}")[0].n == 0 for table in tables)


def registered(bus: MessageBus, data: dict[str, Any]) -> CaseRef:
    return bus.handle(c.StartCase("report_handling", data, "alice"))


def test_missing_severity_is_rejected_by_compute_priority(each_bus: MessageBus, snapshot: Snapshot,
                                                          human_task: HumanTask) -> None:
    ref = registered(each_bus, {"report_no": "R-1", "department": "d"})
    before = snapshot(ref.case_id)
    with pytest.raises(ScriptRejected, match=r"^compute_priority: NameError:name 'severity' is not defined"):
        each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"description": "no severity"}, "alice"))
    assert snapshot(ref.case_id) == before
    assert human_task(ref.ready_tasks[0]).state == "ready"


def test_urgent_case_without_department_is_rejected_as_a_script_error(each_bus: MessageBus, snapshot: Snapshot,
                                                                      human_task: HumanTask) -> None:
    ref = registered(each_bus, {"report_no": "R-1"})  # "=department" cannot be evaluated for dispatch_urgent
    before = snapshot(ref.case_id)
    with pytest.raises(ScriptRejected, match="department"):
        each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 5, "description": "pit"}, "alice"))
    assert snapshot(ref.case_id) == before
    assert human_task(ref.ready_tasks[0]).state == "ready"


def test_missing_inspection_date_starts_no_case(each_bus: MessageBus, sql: Sql) -> None:
    with pytest.raises(ScriptRejected, match=r"^wait_until_inspection: .*'inspect_at' is not defined"):
        each_bus.handle(c.StartCase("scheduled_inspection", {}, "ann"))
    assert nothing_stored(sql)


def test_malformed_inspection_date_starts_no_case(each_bus: MessageBus, sql: Sql) -> None:
    with pytest.raises(ScriptRejected, match="'tomorrow' is not an ISO 8601 date/time"):
        each_bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": "tomorrow"}, "ann"))
    assert nothing_stored(sql)


def test_inspection_date_without_offset_is_utc(each_bus: MessageBus, sql: Sql) -> None:
    ref = each_bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": "2026-11-02T14:00:00"}, "ann"))
    (timer,) = sql("SELECT due_at FROM timers WHERE case_id = :id", id=ref.case_id)
    assert as_utc(timer.due_at) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_uncorrelated_message_does_not_close_correlated_cases(each_bus: MessageBus, sql: Sql,
                                                              snapshot: Snapshot) -> None:
    cases = []
    for report_no in ("R-1", "R-2"):
        ref = registered(each_bus, {"report_no": report_no, "department": "d"})
        ref = each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 1, "description": "x"}, "a"))
        cases.append(each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {}, "dan")).case_id)
    before = [snapshot(case_id) for case_id in cases]
    with pytest.raises(NotFound):  # the waits correlate on report_no, and this message names none
        each_bus.handle(c.SendMessage("verification_done", {"ok": True}, "collector"))
    assert [snapshot(case_id) for case_id in cases] == before
    assert {r.status for r in sql("SELECT status FROM cases")} == {"running"}


def test_firing_an_unknown_timer_is_not_found(each_bus: MessageBus) -> None:
    with pytest.raises(NotFound) as missing:
        each_bus.handle(c.FireTimer(4242))
    assert missing.value.field == "timer_id"


def test_unknown_process_or_non_json_data_is_refused(each_bus: MessageBus, sql: Sql) -> None:
    with pytest.raises(NotFound) as missing:
        each_bus.handle(c.StartCase("no_such_process", {}, "alice"))
    assert missing.value.field == "process_id"
    with pytest.raises(InvalidCommand) as bad:
        each_bus.handle(c.StartCase("round_loop", {"when": datetime(2026, 1, 1, tzinfo=UTC)}, "alice"))
    assert bad.value.field == "data"
    with pytest.raises(InvalidCommand) as unpaired:
        each_bus.handle(c.StartCase("round_loop", {}, "alice", channel="camera"))
    assert unpaired.value.field == "external_id"
    assert nothing_stored(sql)
