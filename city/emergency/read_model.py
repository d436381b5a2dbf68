"""The emergency read model (``emergencies``, ``assembly_calls``), kept by a step hook in the steps' transactions.

The emergency case's events move the rows: its start (with the declaration and the called people in its data)
writes the emergency, state active, and one call per person; an ``acknowledge_assembly`` task made ready marks the
call notified (the notify task before it has just told the person), completed acknowledged; the escalation's notify
job (``escalate_unacknowledged``) marks it escalated; ``check_in_assembly`` completed checked in, with the position;
``end_emergency`` completed or the ``period_over`` timer ends the emergency. So every change of these rows is an
event of the emergency case's hash chain, and ``gridcase replay verify`` re-runs the steps that made it.
"""

from __future__ import annotations

from typing import Any

from city.persistence.repositories.emergency import EmergencyStore
from engine.connectors.notify import TOPIC as NOTIFY_TOPIC
from engine.domain import events as ev
from engine.domain.views import StepRecord
from engine.persistence.repositories.notifications import NotificationStore
from engine.persistence.uow import UnitOfWork
from engine.service.step_hooks import StepWritten

PROCESS_ID = "emergency_event"
PERSON = "person:"
_ENDS = {(ev.TASK_COMPLETED, "end_emergency"), (ev.TIMER_FIRED, "period_over")}
_WATCHED = frozenset({"acknowledge_assembly", "check_in_assembly", "escalate_unacknowledged", "end_emergency",
                      "period_over"})


def keep_emergency_rows(uow: UnitOfWork, step: StepWritten) -> None:
    """Step hook: move the emergency's rows with its case's events (every other case is passed over at once)."""
    records = step.records
    if not any(r.bpmn_id in _WATCHED or r.event_type == ev.CASE_STARTED for r in records):
        return
    repo = uow.repository(EmergencyStore)
    for record in records:
        if record.event_type == ev.CASE_STARTED:
            if record.data.get("process_id") == PROCESS_ID and step.data.get("emergency_state") == "active":
                repo.declare(step.case_id, step.data, step.actor, step.now)
        elif record.bpmn_id in _WATCHED:
            _watched(uow, repo, step, record)


def _watched(uow: UnitOfWork, repo: EmergencyStore, step: StepWritten, record: StepRecord) -> None:
    kind, bpmn_id = record.event_type, record.bpmn_id
    if kind == ev.TASK_READY and bpmn_id == "acknowledge_assembly":
        repo.notified(step.case_id, [_username(record.data.get("group"))], step.now)
    elif kind == ev.TASK_COMPLETED and bpmn_id in ("acknowledge_assembly", "check_in_assembly"):
        _completed(repo, step, record.task_id or "", bpmn_id, record.data)
    elif kind == ev.JOB_CREATED and bpmn_id == "escalate_unacknowledged":
        call = uow.repository(NotificationStore).job_call(record.task_id or "", NOTIFY_TOPIC) or {}
        username = (call.get("data") or {}).get("username")
        if username:
            repo.moved(step.case_id, str(username), "escalated", step.now)
    elif (kind, bpmn_id) in _ENDS:
        repo.ended(step.case_id, step.now)


def _username(group: Any) -> str:
    return str(group or "").removeprefix(PERSON)


def _completed(repo: EmergencyStore, step: StepWritten, task_id: str, bpmn_id: str, data: dict[str, Any]) -> None:
    username = _username(repo.task_group(task_id))
    if bpmn_id == "acknowledge_assembly":
        repo.moved(step.case_id, username, "acknowledged", step.now)
        return
    position = data.get("check_in") or {}
    repo.moved(step.case_id, username, "checked_in", step.now,
               (float(position.get("lon", 0.0)), float(position.get("lat", 0.0))))
