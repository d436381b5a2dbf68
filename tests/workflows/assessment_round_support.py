"""Driving workflows/assessment_round.bpmn in tests: the demo city's zone (Asia/Shanghai), its registry seeded
(tests/assessment_support.py: 3 garbage-sorting objects, 2 compounds, a checklist each), a shift lead to start rounds
by hand, the scheduler's timer starts, the round's rows read back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assessment_support import DEMO, Seeded, seed_assessment_registry
from fixture_types import Sql
from lifecycle import Case
from sqlalchemy.engine import Engine

from city.assessment.commands import StartRoundInspections
from engine.domain import commands as c
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

LEAD = "lead1"
PASSWORD = "assessment-round-test-pw"
DECEMBER_TIMER = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 2026-12-01 08:00 in Zhangzhou: the monthly timer
JANUARY_TIMER = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)  # the monthly and the quarterly timers
DECEMBER_DUE = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 in Zhangzhou
DECEMBER_WARN = datetime(2026, 11, 30, 16, 0, tzinfo=UTC) + (DECEMBER_DUE - datetime(2026, 11, 30, 16, 0,
                                                                                    tzinfo=UTC)) * 0.8


def seeded_city(bus: MessageBus, db: Engine, *, checklists: bool = True) -> Seeded:
    """The registry seeded in the demo city's places, a shift lead added."""
    bus.handle(c.AddUser(LEAD, "值班长", "shift_lead", PASSWORD))
    return seed_assessment_registry(db, DEMO, checklists=checklists)


def start_timers(bus: MessageBus) -> list[Any]:
    """Start every timer start occurrence due by the clock, as the scheduler does each tick."""
    return TimerScheduler(bus).start_timer_processes()


def start_inspections(bus: MessageBus, limit: int = 200) -> list[dict[str, Any]]:
    """Start every pending inspection case, chunk by chunk, as the scheduler's runs do: each chunk's result."""
    done = []
    while (chunk := bus.handle(StartRoundInspections(limit=limit)))["round_id"] is not None:
        done.append(chunk)
    return done


def round_cases(bus: MessageBus, db: Engine, sql: Sql) -> list[Case]:
    """Every assessment_round case, in start order."""
    return [Case(bus, db, r.id) for r in sql("SELECT id FROM cases WHERE process_id = 'assessment_round' ORDER BY id")]


def rounds(sql: Sql) -> list[Any]:
    """The assessment_rounds rows, by id."""
    return sql("SELECT * FROM assessment_rounds ORDER BY id")


def inspections(sql: Sql, round_id: int) -> list[Any]:
    """A round's inspection rows with their object's code and their case's process and start data's id."""
    return sql("SELECT i.*, o.code AS object_code, c.process_id FROM assessment_inspections i"
               " JOIN assessed_objects o ON o.id = i.object_id LEFT JOIN cases c ON c.id = i.case_id"
               " WHERE i.round_id = :id ORDER BY o.code", id=round_id)
