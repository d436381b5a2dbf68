"""The step clock's command: record the warnings and overdues of one case's tasks (engine.service.step_clock)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class ClockTasks(Command):
    """Record ``task_warned`` for the case's ready tasks past their warning time and ``task_overdue`` (escalated to
    the step's group) for those past their due time, each once; a second run records nothing."""

    case_id: int
    actor: str = "scheduler"
