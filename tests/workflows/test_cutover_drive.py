"""Cut-over: an open legacy case driven through the lifecycle's earlier steps holds the data those steps produce, at
the legacy times, and replays (every case here is verified by the fixtures after the test)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fixture_types import Sql, TaskData

from city.cutover.commands import ImportOpenCases
from city.cutover.rows import OpenCase, parse_open_row
from city.history.importer import Codes
from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=CST)
ROW = {"channel": "hotline", "subtype": "0601", "lon": "117.65", "lat": "24.51",
       "reported_at": "2026-10-28T09:00:00+08:00", "verified_at": "2026-10-28T10:00:00+08:00",
       "filed_at": "2026-10-28T10:30:00+08:00", "dispatched_at": "2026-10-28T11:00:00+08:00",
       "disposed_at": "2026-10-29T15:00:00+08:00", "department": "350602-D05", "due_at": "2026-11-05T18:00:00+08:00"}
CODES = Codes(channels=frozenset({"hotline", "patrol", "video"}))


def _open(number: str, step: str, **overrides: str) -> OpenCase:
    return parse_open_row(2, {**ROW, "case_no": number, "result": step, **overrides}, NOW, CODES)


def _import(bus: MessageBus, *rows: OpenCase) -> dict[str, Any]:
    result: dict[str, Any] = bus.handle(ImportOpenCases(rows, NOW))
    return result


def _case_id(sql: Sql, number: str) -> int:
    (row,) = sql("SELECT id FROM cases WHERE channel = 'legacy' AND external_id = :n", n=number)
    return int(row.id)


def _ready(sql: Sql, case_id: int) -> list[str]:
    return [r.bpmn_id for r in sql("SELECT bpmn_id FROM human_tasks WHERE case_id = :id AND state = 'ready'",
                                   id=case_id)]


def test_a_case_driven_to_check_holds_each_steps_data(city_bus: MessageBus, clock: FakeClock, sql: Sql,
                                                      task_data: TaskData) -> None:
    clock.set(NOW)
    assert _import(city_bus, _open("L-CHECK", "check")) == {"imported": {"check": 1}, "overdue": 0, "present": 0,
                                                            "refused": []}
    case_id = _case_id(sql, "L-CHECK")
    assert _ready(sql, case_id) == ["check_on_site"]
    (data,) = task_data(case_id, "check_on_site")
    assert data["verification"]["found"] is True and data["filing"]["decision"] == "file"
    assert (data["department"], data["dispatch_overridden"]) == ("350602-D05", True)  # the rules say 350602-D02
    assert (data["limit_unit"], data["due_at"]) == ("natural_hours", "2026-11-05T10:00:00+00:00")  # legacy, kept
    assert (data["reported_at"], data["verified_at"], data["decided_at"], data["dispatched_at"]) == (
        "2026-10-28T01:00:00+00:00", "2026-10-28T02:00:00+00:00", "2026-10-28T02:30:00+00:00",
        "2026-10-28T03:00:00+00:00")
    assert data["disposal"]["outcome"] == "disposed" and data["reported_disposal_at"] == "2026-10-29T07:00:00+00:00"
    assert data["counters"] == {"reworks": 0, "returns": 0, "extensions": 0, "suspensions": 0, "overdue": 0,
                                "wrong_dispatches": 0}
    steps = sql("SELECT actor, actor_kind, command FROM case_events WHERE case_id = :id AND command IS NOT NULL"
                " ORDER BY seq", id=case_id)
    assert [(s.actor, s.actor_kind) for s in steps] == [("import", "system")] * 5
    assert [s.command for s in steps] == ["start_case"] + ["complete_task"] * 4


@pytest.mark.parametrize(("channel", "step", "waits"), [
    ("patrol", "reported", "file_or_void"),  # a collector's own report: no 核实, it waits for 立案
    ("video", "reported", "review_detection"),  # a camera's report waits for the seat operator's review
    ("video", "filing", "file_or_void"),  # reviewed (confirmed) on the way
])
def test_the_first_steps_follow_the_channel(city_bus: MessageBus, clock: FakeClock, sql: Sql, channel: str,
                                            step: str, waits: str) -> None:
    clock.set(NOW)
    _import(city_bus, _open(f"L-{channel}-{step}", step, channel=channel))
    assert _ready(sql, _case_id(sql, f"L-{channel}-{step}")) == [waits]


def test_a_disposal_without_a_legacy_deadline_gets_the_rules_limit(city_bus: MessageBus, clock: FakeClock, sql: Sql,
                                                                    task_data: TaskData) -> None:
    clock.set(NOW)
    _import(city_bus, _open("L-RULES", "disposal", due_at="", department=""))
    case_id = _case_id(sql, "L-RULES")
    (data,) = task_data(case_id, "dispose_problem")
    assert (data["department"], data["limit_unit"]) == ("350602-D02", "working_hours")  # the rules' own
