"""Project the events issue 17 added: event-based gateways (a timer row and message/signal waits held by the
gateway task), signal catch events (``message_waits`` rows named ``signal:NAME``) and thrown signals.

SpiffWorkflow 3.2 makes an event-based gateway one waiting task whose ``MultipleEventDefinition`` holds the
definitions of the events after it; whichever is caught (or whichever timer fires) first completes the gateway
and only that branch goes on. So the gateway task owns the case's ``timers`` row and ``message_waits`` rows
while it waits; when it completes, the timer row ends ``fired`` (the timer won) or ``cancelled`` (a message or
signal won) and the waits end, so a losing timer never fires and a losing message no longer correlates.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.catching import definitions, delivery_name, signal_key
from engine.bpmn.iso8601 import parse_iso_datetime
from engine.domain import events as ev
from engine.domain.views import MessageWait, PendingTimer, StepRecord

_KINDS = {"ClockedTimeDateEventDefinition": "date", "ClockedDurationTimerEventDefinition": "duration"}


def gateway_branches(spec: Any) -> list[tuple[Any, Any]]:
    """(event definition, BPMN id of the event after the gateway) for each branch of an event-based gateway."""
    return list(zip(spec.event_definition.event_definitions, [o.bpmn_id for o in spec.outputs], strict=False))


def project_gateway(out: Any, task: Task, old_state: int | None, correlation: Any) -> None:
    """Add a waiting or finished event-based gateway's timer row, waits and audit records to ``out``."""
    tid, branches = str(task.id), gateway_branches(task.task_spec)
    timer = next(((d, b) for d, b in branches if isinstance(d, TimerEventDefinition)), None)
    if task.state == TaskState.WAITING:
        waits = [(name, b) for d, b in branches if (name := delivery_name(d)) is not None]
        if old_state != TaskState.WAITING:
            out.message_waits.extend(MessageWait(tid, name, {} if name.startswith("signal:") else
                                                 correlation(task, bpmn_id)) for name, bpmn_id in waits)
        due = _gateway_due(task, timer[0]) if timer is not None else None
        if due is not None and old_state != TaskState.WAITING:
            out.timers.append(PendingTimer(tid, timer[1], timer[1], due[0], due[1], None, 0))  # type: ignore[index]
            out.records.append(StepRecord(ev.TIMER_WAITING, tid, timer[1],  # type: ignore[index]
                                          {"due_at": due[1].isoformat(), "kind": due[0]}))
        return
    if old_state is None or not old_state & TaskState.NOT_FINISHED_MASK:
        return
    out.message_waits_ended.append(tid)
    won = [e.event_definition for e in task.internal_data.get("seen_events", [])] if task.state == TaskState.COMPLETED \
        else []
    for definition, bpmn_id in branches:
        if definition in won and delivery_name(definition) is not None:
            out.records.append(StepRecord(ev.MESSAGE_RECEIVED, tid, bpmn_id, {"message": delivery_name(definition)}))
    if timer is not None and old_state == TaskState.WAITING:
        fired = any(isinstance(d, TimerEventDefinition) for d in won)
        value = task.internal_data.get("event_value")
        out.timers_ended.append((tid, "fired" if fired else "cancelled", 1 if fired else 0))
        out.records.append(StepRecord(ev.TIMER_FIRED, tid, timer[1], {"due_at": str(value)}) if fired
                           else StepRecord(ev.TIMER_CANCELLED, tid, timer[1], {}))


def _gateway_due(task: Task, definition: Any) -> tuple[str, Any] | None:
    value = task._get_internal_data("event_value")
    if value is None or isinstance(definition, CycleTimerEventDefinition):
        return None
    return _KINDS.get(type(definition).__name__, "date"), parse_iso_datetime(str(value))


def is_gateway(spec: Any) -> bool:
    """True for an event-based gateway's task spec."""
    return isinstance(spec, EventBasedGateway)


def project_signal_catch(out: Any, task: Task) -> None:
    """A signal catch event (intermediate, boundary, receive): a ``signal:NAME`` wait while it waits."""
    name = signal_key(task.task_spec.event_definition.name)
    if task.state == TaskState.WAITING:
        out.message_waits.append(MessageWait(str(task.id), name, {}))
    elif task.state in (TaskState.COMPLETED, TaskState.CANCELLED):
        out.message_waits_ended.append(str(task.id))
        if task.state == TaskState.COMPLETED:
            out.records.append(StepRecord(ev.MESSAGE_RECEIVED, str(task.id), task.task_spec.bpmn_id, {"message": name}))


def thrown_signals(transitions: Any) -> list[tuple[str, dict[str, Any]]]:
    """(``signal:NAME``, payload) of every signal throw or end event this step completed, in order.

    Signals are broadcast: the throwing case catches its own natively (SpiffWorkflow), every other case through
    the outbox, so they are read from the completed throw events rather than from the uncaught events.
    """
    thrown = []
    for task, _old in transitions:
        spec = task.task_spec
        for definition in definitions(getattr(spec, "event_definition", None)):
            if isinstance(spec, ThrowingEvent) and isinstance(definition, SignalEventDefinition) \
                    and task.state == TaskState.COMPLETED:
                expression = getattr(definition, "expression", None)
                payload = task.workflow.script_engine.evaluate(task, expression) if expression else {}
                thrown.append((signal_key(definition.name), payload if isinstance(payload, dict)
                               else {"value": payload}))
    return thrown


def catches_signal(spec: Any) -> bool:
    """True for a catching event (not a gateway, not a start event) that waits for a signal."""
    return isinstance(getattr(spec, "event_definition", None), SignalEventDefinition) and not isinstance(
        spec, ThrowingEvent)


def is_message_definition(definition: Any) -> bool:
    """True for a message definition (the projection's existing message path)."""
    return isinstance(definition, MessageEventDefinition)
