"""Which waiting events a delivery reaches: messages, signals and timer start events, by one name scheme.

gridcase delivers everything that arrives from outside a case through one path (``WorkflowRunner.deliver``,
the ``DeliverMessage`` command, the ``message_waits`` table, the outbox and replay), keyed by a name:

- ``NAME``: a BPMN message named NAME (the only kind before issue 17);
- ``signal:NAME``: a BPMN signal named NAME (``SIGNAL_PREFIX``), broadcast to every waiting case;
- ``timer:BPMN_ID``: the timer start event BPMN_ID of a process started by the scheduler (``TIMER_PREFIX``).

A waiting event-based gateway catches on behalf of its events: its definition is a ``MultipleEventDefinition``
holding the message, signal and timer definitions of the events after it (SpiffWorkflow 3.2 moves them there).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.domain.errors import InvalidCommand

SIGNAL_PREFIX = "signal:"
TIMER_PREFIX = "timer:"


def signal_key(name: str) -> str:
    """The delivery name of signal ``name``."""
    return f"{SIGNAL_PREFIX}{name}"


def definitions(definition: Any) -> list[Any]:
    """The event definitions a catching event waits on (a gateway's or multiple event's, one by one)."""
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [] if definition is None else [definition]


def delivery_name(definition: Any) -> str | None:
    """The delivery name of a message or signal definition (None for other kinds)."""
    if isinstance(definition, MessageEventDefinition):
        return str(definition.name)
    if isinstance(definition, SignalEventDefinition):
        return signal_key(str(definition.name))
    return None


def matching(task: Task, name: str) -> Any | None:
    """The definition of waiting ``task`` that a delivery called ``name`` reaches, or None."""
    for definition in definitions(getattr(task.task_spec, "event_definition", None)):
        if delivery_name(definition) == name:
            return definition
    return None


def waiting_catchers(workflow: Any, name: str) -> list[tuple[Task, Any]]:
    """(task, definition) of every waiting event of the case (subprocesses included) reached by ``name``."""
    found = []
    for task in workflow.event_manager.tasks.values():
        definition = matching(task, name)
        if definition is not None:
            found.append((task, definition))
    return found


def catch(task: Task, definition: Any, payload: Any) -> None:
    """Deliver to one waiting event (what the workflow's own catch does, for that task only)."""
    task.task_spec.catch(task, BpmnEvent(definition, payload, {}))
    task.task_spec._update(task)


def start_timer(task: Task) -> None:
    """Fire a timer start event now: the scheduler starts the case at the timer's due time (each occurrence of a
    cycle is a case of its own, so a cycle start event fires once here, as a date would)."""
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        task._drop_children(force=True)  # SpiffWorkflow may have spawned one per occurrence already due
        for output in task.task_spec.outputs:  # what SpiffWorkflow does when a cycle comes due
            child = task._add_child(output, TaskState.FUTURE)
            child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
    task.internal_data.pop("event_value", None)
    task._set_internal_data(event_fired=True)
    task.task_spec._update(task)


def is_timer_start(task: Task, name: str) -> bool:
    """True when ``task`` is the timer start event that ``timer:BPMN_ID`` names."""
    return (name.startswith(TIMER_PREFIX) and task.task_spec.bpmn_id == name[len(TIMER_PREFIX):]
            and isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition))


def start_names(task_spec: Any) -> set[str]:
    """The delivery names a signal or timer start event starts its process on (``signal:NAME``, ``timer:ID``)."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, SignalEventDefinition):
        return {signal_key(str(definition.name))}
    if isinstance(definition, TimerEventDefinition):
        return {f"{TIMER_PREFIX}{task_spec.bpmn_id}"}
    return set()


def has_timer_start(spec: Any) -> bool:
    """True when the process ``spec`` has a timer start event of its own (not an event subprocess's)."""
    return any(isinstance(t, StartEvent) and isinstance(getattr(t, "event_definition", None), TimerEventDefinition)
               for t in spec.task_specs.values())


def check_hand_start(spec: Any) -> None:
    """A process with timer start events started with no start message (by hand: ``StartCase``, a bulk start) is
    refused (422 naming ``process_id``) unless it has a none start event to take: its timer starts are cancelled,
    and with nothing else the case would never move. The scheduler's starts name their timer (``timer:ID``)."""
    if not any(isinstance(t, StartEvent) and isinstance(getattr(t, "event_definition", None), NoneEventDefinition)
               for t in spec.task_specs.values()):
        raise InvalidCommand(f"{spec.name} is started by its timers, not by hand", field="process_id")
