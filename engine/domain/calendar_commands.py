"""The duty calendar's command (engine/domain/duty_calendar.py); its handler is engine.service.calendars."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class LoadDutyCalendar(Command):
    """Store the versions of a duty calendar file (``content``: the JSON text) in one transaction: all of them or,
    when any is invalid, none; a version stored before with the same date and content is not added again."""

    content: str
    actor: str
    comment: str = ""
