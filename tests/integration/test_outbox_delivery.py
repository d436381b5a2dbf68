"""The outbox's bookkeeping on both databases: a failed delivery is counted and kept for a retry.

On PostgreSQL the failed delivery's update once failed by itself (``CASE WHEN $1 IS NULL`` with a text
parameter cannot be typed), after the step had committed: the command raised and the attempt went uncounted.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from engine.domain import commands as c
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus


def test_an_undeliverable_message_is_counted_and_delivered_on_retry(bus: MessageBus,
                                                                    sql: Callable[..., list[sa.Row]]) -> None:
    check = bus.handle(c.StartCase("onsite_check", {"report_no": "R-9"}, "collector"))
    bus.handle(c.CompleteHumanTask(check.ready_tasks[0], {"passed": False}, "collector"))
    (row,) = sql("SELECT id, delivered_at, attempts, last_error FROM outbox")
    assert row.delivered_at is None and row.attempts == 1 and row.last_error.startswith("NotFound")

    report = bus.handle(c.StartCase("report_handling", {"report_no": "R-9", "department": "d"}, "seat"))
    report = bus.handle(c.CompleteHumanTask(report.ready_tasks[0], {"severity": 1, "description": "bin"}, "seat"))
    bus.handle(c.CompleteHumanTask(report.ready_tasks[0], {}, "dispatcher"))
    assert TimerScheduler(bus).retry_outbox(grace=0) == ["delivered"]
    (after,) = sql("SELECT delivered_at, attempts FROM outbox WHERE id = :id", id=row.id)
    assert after.delivered_at is not None and after.attempts == 2
