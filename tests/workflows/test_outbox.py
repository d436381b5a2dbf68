"""Messages a case throws go through the outbox: stored with the step, delivered after commit, retried."""

from __future__ import annotations

import json

from fixture_types import Rows, Sql

from engine.domain import commands as c
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus


def _waiting_report(bus: MessageBus, report_no: str) -> int:
    ref = bus.handle(c.StartCase("report_handling", {"report_no": report_no, "department": "d"}, "seat"))
    ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 1, "description": "bin"}, "seat"))
    bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {}, "dispatcher"))  # dispatch_normal: now it waits
    return ref.case_id


def test_a_thrown_message_reaches_the_case_it_correlates_with(bus: MessageBus, sql: Sql, events: Rows) -> None:
    other = _waiting_report(bus, "R-6")
    report = _waiting_report(bus, "R-7")
    check = bus.handle(c.StartCase("onsite_check", {"report_no": "R-7"}, "collector"))
    bus.handle(c.CompleteHumanTask(check.ready_tasks[0], {"passed": True}, "collector"))

    (row,) = sql("SELECT case_id, name, payload, delivered_at, attempts, last_error FROM outbox")
    assert (row.case_id, row.name, json.loads(row.payload)) == (
        check.case_id, "verification_done", {"report_no": "R-7", "passed": True})
    assert row.delivered_at is not None and (row.attempts, row.last_error) == (1, None)
    statuses = dict(sql("SELECT id, status FROM cases WHERE id IN (:a, :b)", a=report, b=other))
    assert statuses == {report: "completed", other: "running"}
    received = [json.loads(e.data) for e in events(report) if e.event_type == "message_received"]
    assert received == [{"message": "verification_done", "payload": {"report_no": "R-7", "passed": True}}]
    assert "message_received" not in [e.event_type for e in events(check.case_id)]  # throwing is not receiving


def test_an_undeliverable_message_is_kept_and_retried_until_a_case_waits(bus: MessageBus, sql: Sql) -> None:
    check = bus.handle(c.StartCase("onsite_check", {"report_no": "R-8"}, "collector"))
    bus.handle(c.CompleteHumanTask(check.ready_tasks[0], {"passed": False}, "collector"))
    (row,) = sql("SELECT id, delivered_at, attempts, last_error FROM outbox")
    assert row.delivered_at is None and row.attempts == 1 and row.last_error.startswith("NotFound")

    report = _waiting_report(bus, "R-8")
    assert TimerScheduler(bus).retry_outbox(grace=0) == ["delivered"]
    assert sql("SELECT status FROM cases WHERE id = :id", id=report)[0].status == "completed"
    assert TimerScheduler(bus).retry_outbox(grace=0) == []
    assert bus.handle(c.DeliverOutbox(row.id)) == "already-delivered"
