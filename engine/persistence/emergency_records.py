"""Emergency command's tables (应急指挥; city/emergency), migration 0029.

``emergencies`` holds one row per declared emergency event (its ``emergency_event`` case); ``assembly_calls`` one
row per person called to assemble (集结) — both are read models kept by the emergency case's steps, in the steps'
transactions, so every change is also an event in the case's audit chain.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class EmergencyRecord(Base):
    """One declared emergency: kind, level I–IV, area ``{districts, streets}``, period, commander, the minutes a
    called person has to acknowledge, the assembly point and the subtypes (or 2-digit major codes) whose waiting
    cases receive the declaration's signal; ``state`` 'active' until the commander (or the period's end) ends it."""

    __tablename__ = "emergencies"
    # ix_emergencies_state_starts_at: the active emergencies (emergency_at, the lists), newest first
    __table_args__ = (sa.Index("ix_emergencies_state_starts_at", "state", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    level: Mapped[str] = mapped_column(sa.String(4))
    area_json: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(TS)
    ends_at: Mapped[datetime] = mapped_column(TS)
    commander: Mapped[str] = mapped_column(sa.String(100))
    ack_within_minutes: Mapped[int]
    assembly_point_json: Mapped[str] = mapped_column(sa.Text)
    signal_kinds_json: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(10))
    declared_by: Mapped[str] = mapped_column(sa.String(100))
    declared_at: Mapped[datetime] = mapped_column(TS)
    ended_at: Mapped[datetime | None] = mapped_column(TS)


class AssemblyCallRecord(Base):
    """One person called to assemble for an emergency: who (team, role, district or department, leader) and when
    they were notified, acknowledged (收到), escalated to their leader and the commander, and checked in (到达)."""

    __tablename__ = "assembly_calls"
    # ix_assembly_calls_emergency_id_team_state: the assembly status by team (the page, the dashboard)
    __table_args__ = (
        sa.UniqueConstraint("emergency_id", "username", name="uq_assembly_calls_emergency_id_username"),
        sa.Index("ix_assembly_calls_emergency_id_team_state", "emergency_id", "team", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    emergency_id: Mapped[int] = mapped_column(sa.ForeignKey("emergencies.id"))
    username: Mapped[str] = mapped_column(sa.String(100))
    team: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(40))
    district_code: Mapped[str | None] = mapped_column(sa.String(20))
    department_code: Mapped[str | None] = mapped_column(sa.String(20))
    leader: Mapped[str | None] = mapped_column(sa.String(100))
    notified_at: Mapped[datetime | None] = mapped_column(TS)
    acknowledged_at: Mapped[datetime | None] = mapped_column(TS)
    escalated_at: Mapped[datetime | None] = mapped_column(TS)
    checked_in_at: Mapped[datetime | None] = mapped_column(TS)
    check_in_lon: Mapped[float | None] = mapped_column(sa.Float)
    check_in_lat: Mapped[float | None] = mapped_column(sa.Float)
    state: Mapped[str] = mapped_column(sa.String(20))
