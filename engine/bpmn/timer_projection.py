"""Project timer tasks after a step: pending rows, ended rows, and one audit event per firing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.timers import timer_due_at
from engine.domain import events as ev
from engine.domain.views import PendingTimer, StepRecord


def project_timer(out: Any, task: Task, old_state: int | None, previous_internal: str | None) -> None:
    """Add the timer's row change and audit records for this step to ``out`` (a StepOutcome)."""
    spec = task.task_spec
    tid = str(task.id)
    fired = _firings(task, old_state, previous_internal)
    for fired_at in fired:
        out.records.append(StepRecord(ev.TIMER_FIRED, tid, spec.bpmn_id, {"due_at": fired_at}))
    if task.state == TaskState.WAITING:
        due = timer_due_at(task)
        if due is None:  # a cycle that used its last firing: done, though the task waits one more refresh
            out.timers_ended.append((tid, "fired", len(fired)))
            return
        out.timers.append(_pending(task, due, len(fired)))
        if old_state != TaskState.WAITING:
            out.records.append(StepRecord(ev.TIMER_WAITING, tid, spec.bpmn_id,
                                          {"due_at": due[1].isoformat(), "kind": due[0]}))
        return
    if old_state is not None and old_state & TaskState.NOT_FINISHED_MASK:
        status = "fired" if task.state == TaskState.COMPLETED else "cancelled"
        out.timers_ended.append((tid, status, len(fired)))
        if status == "cancelled" and old_state == TaskState.WAITING:
            out.records.append(StepRecord(ev.TIMER_CANCELLED, tid, spec.bpmn_id, {}))


def _firings(task: Task, old_state: int | None, previous_internal: str | None) -> list[str]:
    """Due times (ISO) of the firings this step consumed."""
    value = task.internal_data.get("event_value")
    if not isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        fired = task.state == TaskState.COMPLETED and old_state == TaskState.WAITING
        return [str(value)] if fired and value is not None else []
    before = json.loads(previous_internal).get("event_value") if previous_internal else None
    if not isinstance(before, dict) or not isinstance(value, dict):
        return []
    start = datetime.fromisoformat(before["next"])
    step = timedelta(seconds=before["duration"])
    if before["cycles"] >= 0:
        count = before["cycles"] - value["cycles"]
    else:  # unbounded cycle: count how far "next" moved
        count = round((datetime.fromisoformat(value["next"]) - start) / step) if step else 0
    return [(start + i * step).isoformat() for i in range(max(count, 0))]


def _pending(task: Task, due: tuple[str, datetime], fired: int) -> PendingTimer:
    spec = task.task_spec
    attached = getattr(spec, "attached_to", None)
    return PendingTimer(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due[0], due[1],
                        attached.bpmn_id if attached is not None else None, fired)
