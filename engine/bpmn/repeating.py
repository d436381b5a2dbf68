"""Non-interrupting boundary events that catch every occurrence, as BPMN says, not only the first.

SpiffWorkflow 3.2 gives a boundary event one task: once a non-interrupting message, signal or escalation boundary
event has caught, nothing waits on the activity any more, so a second message, signal or escalation passes by.
After every engine pass (``engine.bpmn.event_subprocesses.settle``) :func:`rearm_boundaries` gives each such
boundary event that has caught a new waiting task beside it while its activity still runs; the activity's end
cancels it as SpiffWorkflow cancels any waiting boundary event. Timer boundary events are left alone: a
non-interrupting duration fires once, and cycles are SpiffWorkflow's own.
"""

from __future__ import annotations

import weakref
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

_REPEATING = (MessageEventDefinition, SignalEventDefinition, EscalationEventDefinition)
# Process spec → its repeating boundary event specs: found once per (immutable, shared) spec, not per step.
_FOUND: weakref.WeakKeyDictionary[Any, frozenset[Any]] = weakref.WeakKeyDictionary()


def _repeating(spec: Any) -> frozenset[Any]:
    found = _FOUND.get(spec)
    if found is None:
        found = frozenset(ts for ts in spec.task_specs.values() if isinstance(ts, BoundaryEvent)
                          and not ts.cancel_activity and isinstance(ts.event_definition, _REPEATING)
                          and not isinstance(ts.event_definition, ErrorEventDefinition))
        _FOUND[spec] = found
    return found


def rearm_boundaries(workflow: Any) -> bool:
    """Arm again each non-interrupting message/signal/escalation boundary event that caught while its activity
    still runs; True when any was armed."""
    changed = False
    for scope in [workflow, *workflow.subprocesses.values()]:
        specs = _repeating(scope.spec)
        if not specs:
            continue  # most processes have none: nothing to walk
        caught = [t for t in scope.tasks.values() if t.task_spec in specs
                  and t.state in (TaskState.READY, TaskState.STARTED, TaskState.COMPLETED)]
        for task in caught:
            changed = rearm_boundary(task) or changed
    return changed


def is_repeating_boundary(task: Task) -> bool:
    """A task of a non-interrupting message, signal or escalation boundary event."""
    return task.task_spec in _repeating(task.workflow.spec)


def rearm_boundary(caught: Task) -> bool:
    """A new waiting task beside the boundary event task ``caught`` that has caught, while its activity runs and
    none waits there yet; True when one was added."""
    split = caught.parent
    if split is None or not split.task_spec.name.endswith(".BoundaryEventSplit"):
        return False
    siblings = list(split.children)
    main = next((t for t in siblings if not isinstance(t.task_spec, BoundaryEvent)), None)
    if main is None or main.has_state(TaskState.FINISHED_MASK):
        return False  # the activity is over: nothing is caught on it any more
    if any(t.task_spec is caught.task_spec and t.state == TaskState.WAITING for t in siblings):
        return False
    # Predicted first (its path after it, as SpiffWorkflow predicts the first one's), then updated: it waits, and
    # joins the workflow's event manager like the first one.
    armed = split._add_child(caught.task_spec, TaskState.MAYBE)
    armed.task_spec._update(armed)
    return True
