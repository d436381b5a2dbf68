"""Plain values the BPMN adapter hands out: never a SpiffWorkflow object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class HumanTaskView:
    """A user or manual task as a person sees it in a task list."""

    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    candidate_group: str | None
    state: str  # ready | completed | cancelled
    form: str | None = None
    due_at: datetime | None = None
    step: str | None = None  # the step key it declares (``stepLimit``): its limit comes from the step-limit decision
    warn_at: datetime | None = None
    escalate_to: str | None = None  # the group that sees it once it is overdue


@dataclass(frozen=True)
class PendingTimer:
    """A timer event waiting in a case; ``due_at`` is fixed when it starts waiting (UTC)."""

    task_id: str
    bpmn_id: str
    name: str
    kind: str  # date | duration | cycle
    due_at: datetime
    attached_to: str | None = None  # the BPMN id of the activity a boundary timer watches
    fired: int = 0  # firings consumed in the step that produced this view (cycle timers)


@dataclass(frozen=True)
class MessageWait:
    """A case waiting for a named message, with the correlation values it expects."""

    task_id: str
    name: str
    correlation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepRecord:
    """Something that happened while the engine advanced; becomes a ``case_events`` row."""

    event_type: str
    task_id: str | None = None
    bpmn_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
