"""What a written step tells the packages built on the engine (the city's case facts, say).

A step hook runs inside the step's transaction, after the engine wrote the step, for every step that recorded events
(with the case's newest data when the step changed it, else ``{}``); it may write through its own repositories and
must not commit (the command does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.views import StepRecord
from engine.persistence.uow import UnitOfWork


@dataclass(frozen=True)
class StepWritten:
    """One written step: the case, its newest data (``{}`` when the step did not change it), the step's audit
    records (in order), who did it and when, and the milestones of the case's process version (BPMN id →
    milestone)."""

    case_id: int
    data: dict[str, Any]
    records: list[StepRecord]
    actor: str
    now: datetime
    milestones: dict[str, str]


StepHook = Callable[[UnitOfWork, StepWritten], None]


def run_step_hooks(uow: UnitOfWork, hooks: Sequence[StepHook], case_id: int, records: Sequence[StepRecord],
                   actor: str, now: datetime) -> None:
    """Hand events a command wrote without a workflow step (a claim, a reassignment, the step clock's warnings) to
    the hooks, in the command's transaction: no data changed, so they get ``{}`` for it. Call it beside
    ``append_events``."""
    written = StepWritten(case_id, {}, list(records), actor, now, {})
    for hook in hooks:
        hook(uow, written)
