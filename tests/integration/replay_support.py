"""Helpers of the replay tests: walk lifecycle cases as the demo city's people would, and tamper with the
stored audit log the way someone with database access could (raw SQL through the project's own store, so
the same statements run on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.domain.audit.chain import StoredEvent
from engine.domain.clock import FakeClock
from engine.domain.events import GENESIS_HASH
from engine.persistence.db import as_utc
from engine.persistence.repositories import audit as audit_store
from engine.persistence.uow import UnitOfWork, command_scope
from engine.scheduling.connectors import ConnectorLoop
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

CST = ZoneInfo("Asia/Shanghai")
REPORT = {"channel": "hotline", "subtype": "0601", "description": "路边暴露垃圾",
          "location": {"lon": 117.65, "lat": 24.51}, "evidence": ["photo-1.jpg"], "urgency": "normal",
          "reporter": "13800000000"}
DEPT, DEPT_2, PARKS_DEPT = "dept_350602s07_01", "dept_350602s07_02", "dept_350602d05_01"
DISPOSED = {"disposal": {"outcome": "disposed", "result": "已清运"}}
CASE_TABLES = ("incidents", "jobs", "case_events", "human_tasks", "timers", "message_waits", "workflow_tasks",
               "task_data", "outbox", "case_summaries", "case_facts", "attachments")


def cst(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 in the city's zone (2 November is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


@dataclass
class Case:
    """A lifecycle case driven through the bus, each step a few minutes after the one before."""

    bus: MessageBus
    clock: FakeClock
    case_id: int

    @property
    def db(self) -> Engine:
        return self.bus.deps.db

    def rows(self, statement: str, **params: object) -> list[sa.Row]:
        with self.db.connect() as conn:
            return list(conn.execute(sa.text(statement), {"id": self.case_id, **params}))

    def ready(self) -> dict[str, sa.Row]:
        return {r.bpmn_id: r for r in self.rows("SELECT * FROM human_tasks WHERE case_id = :id AND state = 'ready'")}

    def complete(self, bpmn_id: str, data: dict[str, Any], actor: str, minutes: int = 5) -> None:
        self.clock.advance(minutes=minutes)
        self.bus.handle(c.CompleteHumanTask(self.ready()[bpmn_id].id, data, actor))
        ConnectorLoop(self.bus, ConnectorSettings()).run_once()  # the lifecycle's notify steps, as the scheduler

    def claim(self, bpmn_id: str, actor: str, *, give_back: bool = False) -> None:
        self.clock.advance(minutes=1)
        command = c.UnclaimTask if give_back else c.ClaimTask
        self.bus.handle(command(self.ready()[bpmn_id].id, actor))

    def fire_due(self) -> int:
        """Fire this case's timers due by the clock through the scheduler, earliest first; how many fired."""
        scheduler, fired = TimerScheduler(self.bus), 0
        while True:
            due = [(as_utc(r.due_at), r.id) for r in self.rows(
                "SELECT id, due_at FROM timers WHERE case_id = :id AND status = 'pending'")]
            due = sorted(d for d in due if d[0] is not None and d[0] <= self.clock.now())
            if not due:
                return fired
            fired += scheduler.fire(due[0][1]) == "fired"

    @property
    def status(self) -> str:
        return str(self.rows("SELECT status FROM cases WHERE id = :id")[0].status)

    def events(self) -> list[StoredEvent]:
        with UnitOfWork(self.db, read_only=True) as uow:
            return audit_store.stored_events(uow.store, self.case_id)

    def seq(self, event_type: str, bpmn_id: str | None = None, nth: int = 0) -> int:
        """The seq of the ``nth`` event of this type (and BPMN id)."""
        found = [e.seq for e in self.events() if e.event_type == event_type and bpmn_id in (None, e.bpmn_id)]
        return found[nth]


def start(bus: MessageBus, clock: FakeClock, actor: str = "seat01") -> Case:
    ref = bus.handle(c.StartCase("case_lifecycle", {"report": dict(REPORT)}, actor))
    return Case(bus, clock, ref.case_id)


def to_disposal(case: Case) -> Case:
    """Verified by a collector, filed by the shift lead, dispatched: the department's disposal is ready."""
    case.complete("verify_report", {"verification": {"found": True, "note": "属实"}}, "collector001", 20)
    case.complete("file_or_void", {"filing": {"decision": "file"}}, "shiftlead01")
    case.complete("confirm_dispatch", {"dispatch": {}}, "dispatcher01")
    return case


def close(case: Case, close_type: str = "normal") -> None:
    case.complete("check_on_site", {"check": {"passed": True}}, "collector001", 30)
    case.complete("close_case", {"closing": {"close_type": close_type}}, "shiftlead01")
    assert case.status == "completed"


# ---- tampering -------------------------------------------------------------------------------------

def execute(db: Engine, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Run write statements (``?`` placeholders) in one transaction."""
    with command_scope(), UnitOfWork(db) as uow:  # a test's tampering: written as if by a command
        for statement, params in statements:
            uow.store._execute(statement, params)


def stamp(db: Engine, moment: datetime) -> Any:
    """A time as the database stores it."""
    with UnitOfWork(db, read_only=True) as uow:
        return uow.store.dialect.stamp(moment)


def update_event(case: Case, seq: int, **columns: Any) -> None:
    """Change columns of one stored event, leaving its hash as it was."""
    values = {k: stamp(case.db, v) if isinstance(v, datetime) else v for k, v in columns.items()}
    sets = ", ".join(f"{name} = ?" for name in values)
    execute(case.db, (f"UPDATE case_events SET {sets} WHERE case_id = ? AND seq = ?",
                      (*values.values(), case.case_id, seq)))


def forge(case: Case, events: list[StoredEvent]) -> None:
    """Replace the case's log by ``events`` renumbered and re-hashed from the genesis hash, head included:
    a history rewritten consistently, as someone who knows the hash format could."""
    prev, rows = GENESIS_HASH, []
    for seq, event in enumerate(events, start=1):
        event = dataclasses.replace(event, seq=seq, prev_hash=prev)
        event = dataclasses.replace(event, hash=event.recomputed_hash(prev))
        rows.append(event)
        prev = event.hash
    columns = [f.name for f in dataclasses.fields(StoredEvent)]
    insert = f"INSERT INTO case_events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    execute(case.db, ("DELETE FROM case_events WHERE case_id = ?", (case.case_id,)),
            *((insert, tuple(stamp(case.db, v) if isinstance(v, datetime) else v
                             for v in dataclasses.astuple(e))) for e in rows),
            ("UPDATE cases SET last_event_seq = ?, last_event_hash = ? WHERE id = ?", (len(rows), prev, case.case_id)))


def delete_history(case: Case) -> None:
    """Remove every row of the case, as if it had never been reported."""
    mine = "SELECT id FROM notifications WHERE case_id = ?"
    deliveries = f"SELECT id FROM notification_deliveries WHERE notification_id IN ({mine})"
    notifications = (  # the case's notifications, their deliveries and log, and the inbox items they made
        (f"DELETE FROM notification_attempts WHERE delivery_id IN ({deliveries})", (case.case_id,)),
        (f"DELETE FROM notification_deliveries WHERE notification_id IN ({mine})", (case.case_id,)),
        (f"DELETE FROM inbox_items WHERE notification_id IN ({mine})", (case.case_id,)),
        ("DELETE FROM notifications WHERE case_id = ?", (case.case_id,)),
    )
    execute(case.db, *notifications,
            *((f"DELETE FROM {table} WHERE case_id = ?", (case.case_id,)) for table in CASE_TABLES),
            ("DELETE FROM cases WHERE id = ?", (case.case_id,)))


def later(moment: datetime, minutes: int = 1) -> datetime:
    return moment + timedelta(minutes=minutes)
