"""Records of the cities' duty calendars (engine/domain/duty_calendar.py): the schema migration 0022 builds."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class DutyCalendarVersionRecord(Base):
    """One version of the duty calendar (值班时间表) as loaded: in effect from ``effective_from`` until a version
    with a later date; of two with one date, the later loaded (higher id) wins. ``content``: the version in the
    file format, canonical JSON (``DutyVersion.to_dict``); ``sha256`` of it, so loading a file again adds nothing."""

    __tablename__ = "duty_calendar_versions"
    __table_args__ = (sa.Index("ix_duty_calendar_versions_effective", "effective_from", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    loaded_at: Mapped[datetime] = mapped_column(TS)
    loaded_by: Mapped[str] = mapped_column(sa.String(100))
    comment: Mapped[str] = mapped_column(sa.Text)
