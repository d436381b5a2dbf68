"""The lifecycle's notify steps (the notify connector): an approved 回退 tells the dispatchers, a refused one the
department, a failed 核查 tells the department of the 返工, and 结案 tells a reporter with an account the result.
Each is a step of the flow: the next task is offered once the scheduler's connector loop has sent it."""

from __future__ import annotations

import json
from typing import Any

from fixture_types import Sql
from lifecycle import DEPARTMENT, DISPOSED, Case, cst, report, send_notifications, to_disposal
from sqlalchemy.engine import Engine

from engine.domain.clock import FakeClock
from engine.service.bus import MessageBus


def sent(sql: Sql, case: Case, kind: str) -> list[tuple[Any, ...]]:
    """The case's notifications of ``kind``: (recipient kind, recipient, urgency, template data)."""
    rows = sql("SELECT recipient_kind, recipient, urgency, data FROM notifications WHERE case_id = :id AND kind = :k"
               " ORDER BY id", id=case.case_id, k=kind)
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def returned(bus: MessageBus, db: Engine, clock: FakeClock, approved: bool) -> Case:
    clock.set(cst(2, 9))
    case = to_disposal(bus, db)
    case.complete("dispose_problem", {"disposal": {"outcome": "return", "reason": "不属于本单位职责"}})
    review = {"approved": approved, "comment": "属本单位职责" if not approved else "同意"}
    case.complete("review_return", {"return_review": review}, notify=False)
    return case


def test_an_approved_return_tells_the_dispatchers(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                  sql: Sql) -> None:
    case = returned(city_bus, db, clock, approved=True)
    assert case.ready() == {}  # the notify step waits for the connector loop
    assert send_notifications(city_bus) == 1
    assert set(case.ready()) == {"confirm_dispatch"}
    ((kind, to, urgency, data),) = sent(sql, case, "returned")
    assert (kind, to, urgency) == ("group", "dispatcher", "normal")
    assert {k: data[k] for k in ("reason", "department", "task_name")} == {
        "reason": "不属于本单位职责", "department": DEPARTMENT, "task_name": "派遣 Dispatch"}
    assert data["link"] == f"/cases/{data['case_no']}"  # the engine adds the case's number and link


def test_a_refused_return_tells_the_department(city_bus: MessageBus, db: Engine, clock: FakeClock, sql: Sql) -> None:
    case = returned(city_bus, db, clock, approved=False)
    assert send_notifications(city_bus) == 1
    assert set(case.ready()) == {"dispose_problem"}
    ((kind, to, urgency, data),) = sent(sql, case, "returned")
    assert (kind, to, urgency, data["reason"], data["due_at"]) == ("group", DEPARTMENT, "normal", "属本单位职责",
                                                                   "2026-11-02T03:00:00+00:00")


def test_a_failed_check_tells_the_department_of_the_rework(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                           sql: Sql) -> None:
    clock.set(cst(2, 9))
    case = to_disposal(city_bus, db, report(urgency="urgent"))
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": False, "note": "仍有残留"}}, notify=False)
    assert case.ready() == {}
    send_notifications(city_bus)
    assert set(case.ready()) == {"dispose_problem"}
    ((kind, to, urgency, data),) = sent(sql, case, "rework")
    assert (kind, to, urgency, data["reason"]) == ("group", DEPARTMENT, "urgent", "仍有残留")


def test_the_reporter_with_an_account_is_told_the_result(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                         sql: Sql) -> None:
    case = to_disposal(city_bus, db, report(channel="wechat", reporter_account="citizen42"))
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": True}})
    case.complete("close_case", {"closing": {"close_type": "normal"}}, notify=False)
    assert case.status != "completed"
    send_notifications(city_bus)
    assert case.status == "completed"
    ((kind, to, urgency, data),) = sent(sql, case, "case_result")
    assert (kind, to, urgency, data["result"]) == ("person", "citizen42", "normal", "已清运")


def test_a_reporter_without_an_account_is_not_told(city_bus: MessageBus, db: Engine, sql: Sql) -> None:
    case = to_disposal(city_bus, db)  # a hotline caller: a phone number, no account to address
    case.complete("dispose_problem", DISPOSED)
    case.complete("check_on_site", {"check": {"passed": True}})
    case.complete("close_case", {"closing": {"close_type": "normal"}}, notify=False)
    assert case.status == "completed" and sent(sql, case, "case_result") == []
