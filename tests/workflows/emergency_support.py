"""Driving workflows/emergency_event.bpmn and assembly_call.bpmn in tests: accounts, a declaration, the calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from city.emergency import commands as ec
from engine.connectors.base import ConnectorSettings
from engine.domain import commands as c
from engine.scheduling.connectors import ConnectorLoop
from engine.service.bus import MessageBus

PASSWORD = "emergency-test-pw"
DISPATCHERS = ("disp01", "disp02", "disp03")
TEAMS = ({"name": "调度员 dispatchers", "role": "dispatcher", "leader": "lead1"},
         {"name": "值班长 shift leads", "role": "shift_lead", "leader": "chief1"})


def add_people(bus: MessageBus) -> None:
    """The commander (chief1, a supervisor), a shift lead (lead1) and three dispatchers."""
    bus.handle(c.AddUser("chief1", "总指挥", "supervisor", PASSWORD))
    bus.handle(c.AddUser("lead1", "值班长", "shift_lead", PASSWORD))
    for name in DISPATCHERS:
        bus.handle(c.AddUser(name, name, "dispatcher", PASSWORD))


def declaration(now: datetime, **overrides: Any) -> ec.DeclareEmergency:
    """A typhoon over 芗城区 for two days, commanded by chief1, declared by lead1; override any field."""
    base: dict[str, Any] = dict(kind="typhoon", level="II", area={"districts": ["350602"], "streets": []},
                                starts_at=now.isoformat(), ends_at=(now + timedelta(days=2)).isoformat(),
                                commander="chief1", actor="lead1", name="台风 Typhoon", teams=TEAMS,
                                ack_within_minutes=20, signal_kinds=("04",),
                                assembly_point={"name": "指挥中心", "lon": 117.65, "lat": 24.51})
    base.update(overrides)
    return ec.DeclareEmergency(**base)


def send_notifications(bus: MessageBus) -> int:
    """Run the built-in connectors' jobs until none is left, as the scheduler's loop does."""
    total = 0
    while (done := ConnectorLoop(bus, ConnectorSettings()).run_once()) > 0:
        total += done
    return total


def rows(db: Engine, statement: str, **params: object) -> list[sa.Row]:
    """Run a read query on the test database."""
    with db.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def calls(db: Engine, emergency_id: int) -> dict[str, sa.Row]:
    """The assembly calls by username."""
    return {r.username: r for r in rows(db, "SELECT * FROM assembly_calls WHERE emergency_id = :id",
                                        id=emergency_id)}


def ready(db: Engine, emergency_id: int) -> list[tuple[str, str]]:
    """(bpmn id, candidate group) of the ready human tasks of the emergency's case and its people's assembly_call
    cases (channel assembly, external id ``<emergency id>:<username>``), sorted."""
    return sorted((r.bpmn_id, r.candidate_group) for r in rows(
        db, "SELECT h.bpmn_id, h.candidate_group FROM human_tasks h JOIN cases c ON c.id = h.case_id"
            " WHERE h.state = 'ready' AND (c.id = :id OR (c.channel = 'assembly' AND c.external_id LIKE :key))",
        id=emergency_id, key=f"{emergency_id}:%"))
