"""The emergency read model (``emergencies``, ``assembly_calls``), kept by a step hook in the steps' transactions.

The emergency case's start (with the declaration and the called people in its data) writes the emergency, state
active, and one call per person; its ``end_emergency`` completed or ``period_over`` timer ends the emergency. Each
person's ``assembly_call`` case (keyed by channel ``assembly`` and external id ``<emergency id>:<username>``) moves
that person's call: ``acknowledge_assembly`` made ready marks it notified (the notify task before it has just told
the person), completed acknowledged; the escalation's notify job (``escalate_unacknowledged``) escalated;
``check_in_assembly`` completed checked in, with the position. So every change of these rows is an event of a
case's hash chain, and ``gridcase replay verify`` re-runs the steps that made it.
"""

from __future__ import annotations

from city.persistence.repositories.emergency import EmergencyStore
from engine.domain import events as ev
from engine.domain.views import StepRecord
from engine.persistence.uow import UnitOfWork
from engine.service.step_hooks import StepWritten

PROCESS_ID = "emergency_event"
CALL_PROCESS = "assembly_call"
PERSON = "person:"
_ENDS = {(ev.TASK_COMPLETED, "end_emergency"), (ev.TIMER_FIRED, "period_over")}
_CALL_EVENTS = frozenset({"acknowledge_assembly", "check_in_assembly", "escalate_unacknowledged"})
_WATCHED = _CALL_EVENTS | {"end_emergency", "period_over"}


def keep_emergency_rows(uow: UnitOfWork, step: StepWritten) -> None:
    """Step hook: move the emergency's rows with its cases' events (every other case is passed over at once)."""
    records = step.records
    if not any(r.bpmn_id in _WATCHED or r.event_type == ev.CASE_STARTED for r in records):
        return
    repo = uow.repository(EmergencyStore)
    key: tuple[int, str] | None = None
    for record in records:
        if record.event_type == ev.CASE_STARTED:
            if record.data.get("process_id") == PROCESS_ID and step.data.get("emergency_state") == "active":
                repo.declare(step.case_id, step.data, step.actor, step.now)
        elif (record.event_type, record.bpmn_id) in _ENDS:
            repo.ended(step.case_id, step.now)
        elif record.bpmn_id in _CALL_EVENTS:
            key = key or repo.call_key(step.case_id)  # the call case's (emergency, person), read once a step
            if key is not None:
                _call_moved(repo, key, step, record)


def _call_moved(repo: EmergencyStore, key: tuple[int, str], step: StepWritten, record: StepRecord) -> None:
    emergency_id, username = key
    kind, bpmn_id = record.event_type, record.bpmn_id
    if kind == ev.TASK_READY and bpmn_id == "acknowledge_assembly":
        repo.notified(emergency_id, [username], step.now)
    elif kind == ev.TASK_COMPLETED and bpmn_id == "acknowledge_assembly":
        repo.moved(emergency_id, username, "acknowledged", step.now)
    elif kind == ev.TASK_COMPLETED and bpmn_id == "check_in_assembly":
        position = record.data.get("check_in") or {}
        repo.moved(emergency_id, username, "checked_in", step.now,
                   (float(position.get("lon", 0.0)), float(position.get("lat", 0.0))))
    elif kind == ev.JOB_CREATED and bpmn_id == "escalate_unacknowledged":
        repo.moved(emergency_id, username, "escalated", step.now)
