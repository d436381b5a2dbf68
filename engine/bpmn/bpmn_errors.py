"""BPMN errors: thrown by an error end event (SpiffWorkflow), by a script (``throw_error``), or by job code
(``throw_bpmn_error``); caught by error boundary events (by code, or every error when the boundary names none) and
by error-started event subprocesses, innermost scope first.

SpiffWorkflow 3.2 propagates an error end event's error itself: to the waiting catchers of the workflow that threw
it, else of each enclosing workflow, else it is "uncaught" and left in the workflow's outgoing events. A script has
no way to throw one, so ``throw_error(code, data)`` raises ``BpmnErrorRaised``; the engine steps below turn it into
the same event, thrown from the script task (which SpiffWorkflow has marked ERROR): first to the task's own error
boundary events, then outward as SpiffWorkflow does. An error nobody catches fails the step with
``ScriptRejected`` naming the code and the element — the command writes nothing (a timer's firing is recorded as
``timer_failed`` with that text), so the case shows exactly where the model lacks a handler.
"""

from __future__ import annotations

import copy
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import event_subprocesses
from engine.bpmn.helpers import register_helper
from engine.domain.errors import ScriptRejected

MAX_RETHROWS = 1000  # one step cannot raise more errors than this (a loop that throws and catches forever)


class BpmnErrorRaised(Exception):
    """Raised by the ``throw_error`` helper inside a script; the engine throws it as a BPMN error."""

    def __init__(self, code: str, payload: dict[str, Any] | None) -> None:
        super().__init__(f"BPMN error {code!r}")
        self.code = code
        self.payload = payload


@register_helper()
def throw_error(code: str, data: Any = None) -> None:
    """Throw BPMN error ``code`` from this script task; ``data`` (an object) goes to the catching event's variable."""
    if not isinstance(code, str) or not code.strip():
        raise ValueError("throw_error needs an error code (a non-empty string)")
    if data is not None and not isinstance(data, dict):
        raise ValueError("throw_error's data must be an object (a dict) or None")
    raise BpmnErrorRaised(code.strip(), copy.deepcopy(data))


def throw_bpmn_error(task: Task, code: str, payload: dict[str, Any] | None = None) -> None:
    """Throw BPMN error ``code`` from ``task`` (a script task that raised it, or a waiting task job code fails):
    its own error boundary events first, then the enclosing scopes. ScriptRejected when nothing catches it.

    The external-task job code may call this to send a worker's bpmn-error up the scopes (a subprocess's boundary,
    an error event subprocess) rather than only to the task's own boundary events.
    """
    definition = ErrorEventDefinition(code, code=code)
    if _own_boundary_catches(task, definition, payload):
        return
    event = BpmnEvent(definition, copy.deepcopy(payload), target=task.workflow)
    top = task.workflow.top_workflow
    top.catch(event)
    if event in top.bpmn_events:
        top.bpmn_events.remove(event)
        raise ScriptRejected(uncaught_message(code, task.task_spec.bpmn_id))


def uncaught_message(code: str | None, element: str) -> str:
    """The error text of a BPMN error no event caught."""
    return (f"{element}: BPMN error {code!r} was not caught: no error boundary event or error event subprocess "
            "catches it (add one with that error code, or one without a code to catch every error)")


def _own_boundary_catches(task: Task, definition: Any, payload: Any) -> bool:
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return False
    event = BpmnEvent(definition, copy.deepcopy(payload))
    for sibling in parent.children:
        if sibling is not task and sibling.state == TaskState.WAITING and sibling.task_spec.catches(sibling, event):
            sibling.task_spec.catch(sibling, event)
            sibling.task_spec._update(sibling)
            return True
    return False


def run_engine_steps(workflow: Any) -> None:
    """``workflow.do_engine_steps()``, throwing the BPMN errors scripts raise and failing on uncaught ones."""
    for _ in range(MAX_RETHROWS):
        try:
            workflow.do_engine_steps()
        except WorkflowTaskException as exc:
            raised = getattr(exc, "exception", None)
            if not isinstance(raised, BpmnErrorRaised) or exc.task is None:
                raise
            throw_bpmn_error(exc.task, raised.code, raised.payload)
            continue
        if event_subprocesses.settle(workflow):
            continue  # an event subprocess interrupted its scope, or a scope's main flow ended
        _refuse_uncaught(workflow)
        return
    raise ScriptRejected(f"more than {MAX_RETHROWS} BPMN errors in one step (a loop that throws errors forever?)")


def _refuse_uncaught(workflow: Any) -> None:
    """An error end event whose error nothing caught (SpiffWorkflow leaves it among the outgoing events)."""
    for event in workflow.bpmn_events:
        if isinstance(event.event_definition, ErrorEventDefinition):
            definition = event.event_definition
            raise ScriptRejected(uncaught_message(definition.code, str(definition.name)))
