"""Step limits: a human task's time limit, warning and escalation, as a step-limit decision gives them.

A user task names its step (``stepLimit``: verify, file, dispatch, dispose, check, close …); its process names the
decision that rules every step's limit (``stepLimitDecision``). The decision answers, for the case's data plus
``step``: ``limit_amount`` and ``limit_unit`` (working_hours | working_days | natural_hours | natural_days),
``warning_share`` (the share of the limit after which the task turns yellow) and ``escalate_to`` (the group that
sees the task once it is overdue). This module turns such an answer into the task's warning and due times; it
knows no city and no step key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.domain.working_time import UNITS

STEP_PROPERTY = "stepLimit"  # on a user task: the step key
DECISION_PROPERTY = "stepLimitDecision"  # on a process: the id of the decision that rules the steps' limits
DEFAULT_WARNING_SHARE = 0.8
# (start, amount, unit) → the moment ``amount`` of ``unit`` has passed (engine.domain.working_time.WorkingTime)
Deadline = Callable[[datetime, float, str], datetime]


@dataclass(frozen=True)
class StepLimit:
    """One step's limit as the decision gives it."""

    amount: float
    unit: str
    warning_share: float = DEFAULT_WARNING_SHARE
    escalate_to: str | None = None


@dataclass(frozen=True)
class TaskClock:
    """What a task's row keeps of its step's limit."""

    step: str
    warn_at: datetime | None
    due_at: datetime | None
    escalate_to: str | None


def step_limit(answer: Any) -> StepLimit | None:
    """The limit in a decision's answer (a table hit ``{output: value}``, or the first of a list of them); None when
    the decision did not match or its answer is no limit (a missing or negative amount, an unknown unit)."""
    if isinstance(answer, list):
        answer = answer[0] if answer else None
    if not isinstance(answer, Mapping):
        return None
    amount, unit = answer.get("limit_amount"), answer.get("limit_unit")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0 or unit not in UNITS:
        return None
    share = answer.get("warning_share")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        share = DEFAULT_WARNING_SHARE
    group = answer.get("escalate_to")
    return StepLimit(float(amount), str(unit), float(share), group if isinstance(group, str) and group else None)


def natural_deadline(start: datetime, amount: float, unit: str) -> datetime:
    """A deadline in natural time only (where no working-time calendar is configured); ValueError for working
    units, which need the calendar."""
    if unit == "natural_hours":
        return start + timedelta(hours=amount)
    if unit == "natural_days":
        return start + timedelta(days=amount)
    raise ValueError(f"{unit} needs the working-time calendar")


def clock_task(step: str, limit: StepLimit | None, ready_at: datetime, deadline: Deadline,
               own_due: datetime | None = None) -> TaskClock:
    """The task's clock: due when the limit has passed after ``ready_at``, warned when ``warning_share`` of it has.

    ``own_due``: a deadline the model sets itself (a boundary timer named by ``dueTimer``) wins; the rule then
    gives only the warning (the same share of the time left, as natural time) and the escalation group.
    """
    if limit is None:
        return TaskClock(step, None, own_due, None)
    if own_due is not None:
        warn = ready_at + (own_due - ready_at) * limit.warning_share if own_due > ready_at else own_due
        return TaskClock(step, warn, own_due, limit.escalate_to)
    due = deadline(ready_at, limit.amount, limit.unit)
    warn = deadline(ready_at, limit.amount * limit.warning_share, limit.unit)
    return TaskClock(step, warn, due, limit.escalate_to)


def task_light(warn_at: datetime | None, due_at: datetime | None, now: datetime, *,
               suspended: bool = False) -> str | None:
    """A ready task's light: green before its warning, yellow until its due time, red after; grey while its case
    is suspended (挂账); None when it has no limit."""
    if due_at is None:
        return None
    if suspended:
        return "grey"
    if now >= due_at:
        return "red"
    return "yellow" if warn_at is not None and now >= warn_at else "green"
