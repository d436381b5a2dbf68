"""Driving workflows/case_lifecycle.bpmn in tests: a case handle that completes tasks by BPMN id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fixture_types import Snapshot
from sqlalchemy.engine import Engine

from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.domain.errors import FormRejected
from engine.persistence.db import as_utc
from engine.scheduling.connectors import ConnectorLoop
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

NOTIFYING = {"review_return", "check_on_site", "close_case"}  # tasks the lifecycle's notify steps may follow
CO_TASK = "assist_disposal"  # the multi-instance co-handling (协办) task: ready once per co-department

# A point in 芗城区 (350602), inside the demo city's grids, and one far outside them.
IN_CITY = {"lon": 117.65, "lat": 24.51}
OUTSIDE = {"lon": 118.50, "lat": 25.00}


def report(**overrides: Any) -> dict[str, Any]:
    """A hotline report of exposed garbage (暴露垃圾, 0601) in the city; override any field."""
    base = {"channel": "hotline", "subtype": "0601", "description": "路边暴露垃圾", "location": dict(IN_CITY),
            "evidence": ["photo-1.jpg"], "urgency": "normal", "reporter": "13800000000"}
    return {**base, **overrides}


@dataclass
class Case:
    """One lifecycle case: its id, the bus and the database, with helpers to act on it."""

    bus: MessageBus
    db: Engine
    case_id: int

    def ready(self) -> dict[str, sa.Row]:
        """The ready human tasks by BPMN id (each BPMN id but the co-handlers' is ready at most once)."""
        rows = self._rows("SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready' AND bpmn_id != :co",
                          co=CO_TASK)
        by_id = {r.bpmn_id: r for r in rows}
        assert len(by_id) == len(rows), f"a BPMN id is ready twice: {[r.bpmn_id for r in rows]}"
        return by_id

    def complete(self, bpmn_id: str, data: dict[str, Any], actor: str = "tester", notify: bool = True) -> None:
        """Complete the ready task with this BPMN id; after a task the model's notify steps follow (回退审批,
        核查, 结案), the notifications are sent at once, as the scheduler's connector loop would (``notify``)."""
        task = self.ready()[bpmn_id]
        self.bus.handle(c.CompleteHumanTask(task.id, data, actor))
        if notify and bpmn_id in NOTIFYING:
            send_notifications(self.bus)

    def co_tasks(self) -> dict[str, sa.Row]:
        """The ready co-handling (协办) tasks by their department (candidate group)."""
        rows = self._rows("SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready' AND bpmn_id = :co",
                          co=CO_TASK)
        return {str(r.candidate_group): r for r in rows}

    def assist(self, department: str, reply: str = "已配合处置", actor: str = "tester") -> None:
        """Answer the ready co-handling task of ``department``."""
        task = self.co_tasks()[department]
        self.bus.handle(c.CompleteHumanTask(task.id, {"assist": {"reply": reply}}, actor))

    def tasks(self, bpmn_id: str) -> list[sa.Row]:
        """Every human-task row with this BPMN id, oldest first."""
        return self._rows("SELECT * FROM human_tasks WHERE case_id = :id AND bpmn_id = :b ORDER BY created_at, id",
                          b=bpmn_id)

    def timers(self, status: str = "pending") -> dict[str, sa.Row]:
        """Timer rows in ``status`` by BPMN id."""
        return {r.bpmn_id: r for r in self._rows("SELECT * FROM timers WHERE case_id = :id AND status = :s",
                                                  s=status)}

    @property
    def status(self) -> str:
        (row,) = self._rows("SELECT status FROM cases WHERE id = :id")
        return str(row.status)

    def data(self) -> dict[str, Any]:
        """The workflow-level data (set when the case ends: the end event's data)."""
        (row,) = self._rows("SELECT workflow_json FROM cases WHERE id = :id")
        return dict(json.loads(row.workflow_json).get("data", {}))

    def _rows(self, statement: str, **params: object) -> list[sa.Row]:
        with self.db.connect() as conn:
            return list(conn.execute(sa.text(statement), {"id": self.case_id, **params}))


def start(bus: MessageBus, db: Engine, data: dict[str, Any], actor: str = "seat001") -> Case:
    """Start a lifecycle case from a report."""
    ref = bus.handle(c.StartCase("case_lifecycle", {"report": data}, actor))
    return Case(bus, db, ref.case_id)


# ---- helpers for walking a case through the lifecycle (times are Asia/Shanghai) ----

CST = ZoneInfo("Asia/Shanghai")
DEPARTMENT = "350602-D02"  # the district's sanitation department: 0601 暴露垃圾 in 350602
DISPOSED = {"disposal": {"outcome": "disposed", "result": "已清运"}}


def cst(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Asia/Shanghai (2 November is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


def to_dispatch(bus: MessageBus, db: Engine, data: dict[str, Any]) -> Case:
    """Start a case, verify it (found) and file it: confirm_dispatch is ready."""
    case = start(bus, db, data)
    if "verify_report" in case.ready():
        case.complete("verify_report", {"verification": {"found": True}})
    case.complete("file_or_void", {"filing": {"decision": "file"}})
    return case


def to_disposal(bus: MessageBus, db: Engine, data: dict[str, Any] | None = None,
                dispatch: dict[str, Any] | None = None) -> Case:
    """Start, verify, file and dispatch a case (by default the hotline 0601 report): dispose_problem is ready."""
    case = to_dispatch(bus, db, report() if data is None else data)
    case.complete("confirm_dispatch", {"dispatch": dispatch or {}})
    return case


def approve_return(case: Case, approved: bool = True, comment: str | None = None) -> None:
    """The shift lead's 回退审批 of the pending return."""
    review: dict[str, Any] = {"approved": approved}
    if comment is not None:
        review["comment"] = comment
    case.complete("review_return", {"return_review": review})


def due(case: Case, bpmn_id: str) -> datetime:
    """The due time of a pending timer, as an aware datetime."""
    moment = as_utc(case.timers()[bpmn_id].due_at)
    assert moment is not None
    return moment


def fire_due(bus: MessageBus) -> list[str]:
    """Fire every timer due by the clock."""
    return TimerScheduler(bus).fire_due()


def send_notifications(bus: MessageBus) -> int:
    """Run the built-in connectors' jobs once, as the scheduler does: the notify tasks (回退, 返工, the result)."""
    return ConnectorLoop(bus, ConnectorSettings()).run_once()


def close(case: Case, close_type: str = "normal") -> dict[str, Any]:
    """Pass the on-site check and close (the notifications sent on the way): the evaluation facts."""
    case.complete("check_on_site", {"check": {"passed": True}})
    case.complete("close_case", {"closing": {"close_type": close_type}})
    assert case.status == "completed"
    return dict(case.data()["evaluation"])


def rejected(case: Case, bpmn_id: str, data: dict[str, Any], snapshot: Snapshot) -> str:
    """Complete a task with data the process refuses: nothing is written; the rejected field."""
    before = snapshot(case.case_id)
    with pytest.raises(FormRejected) as refused:
        case.complete(bpmn_id, data)
    assert snapshot(case.case_id) == before
    return str(refused.value.field)
