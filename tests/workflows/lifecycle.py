"""Driving workflows/case_lifecycle.bpmn in tests: a case handle that completes tasks by BPMN id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.service.bus import MessageBus

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
        """The ready human tasks by BPMN id (each BPMN id is ready at most once in this process)."""
        rows = self._rows("SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready'")
        by_id = {r.bpmn_id: r for r in rows}
        assert len(by_id) == len(rows), f"a BPMN id is ready twice: {[r.bpmn_id for r in rows]}"
        return by_id

    def complete(self, bpmn_id: str, data: dict[str, Any], actor: str = "tester") -> None:
        """Complete the ready task with this BPMN id."""
        task = self.ready()[bpmn_id]
        self.bus.handle(c.CompleteHumanTask(task.id, data, actor))

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
