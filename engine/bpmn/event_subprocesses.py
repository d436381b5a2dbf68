"""Event subprocesses as BPMN means them, on top of what SpiffWorkflow 3.2 does.

SpiffWorkflow 3.2 starts a timer-started event subprocess with the process (its start event waits), but an
interrupting one does not interrupt, nothing cancels it when the process's main flow ends (the case never
completes), a message- or signal-started one exists only once something is caught (so no case waits for its
message), and an error or escalation never reaches one. After every engine pass (``settle``) gridcase:

- arms every message- and signal-started event subprocess of each running scope: SpiffWorkflow's own trigger
  (``trigger_wf``) creates it with its start event waiting, so the wait is projected, delivered and restored
  like any other; a non-interrupting one (message, signal or escalation) is armed again after it fired, and so
  is a non-interrupting boundary event (``engine.bpmn.repeating``);
- when an interrupting event subprocess's start event has fired, cancels everything else in its scope: the main
  flow's waiting tasks (human tasks leave the task lists as ``cancelled``), timers and waits, the other event
  subprocesses;
- when a scope's main flow has ended, cancels its event subprocesses that never started, so the scope completes.

``scoped_catch`` replaces the workflow event manager's ``catch`` for errors and escalations: innermost scope first,
the boundary events of the activity the event came out of, then the scope's error/escalation event subprocesses,
one catcher only — the one naming the code before one catching every code.
"""

from __future__ import annotations

import functools
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import CodeEventDefinition, SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.event_parsers import INTERRUPTING
from engine.bpmn.repeating import is_repeating_boundary, rearm_boundaries, rearm_boundary

_REPEATING = (MessageEventDefinition, SignalEventDefinition, CodeEventDefinition)  # error ones always interrupt
_HANDLED = "gridcase_interrupted"  # internal data of an event subprocess task whose interruption was applied
_ENDS = (".EndJoin", "End")


def attach(workflow: Any) -> None:
    """Route errors and escalations through ``scoped_catch`` (after every load: the manager is not serialized)."""
    manager = workflow.event_manager
    manager.catch = functools.partial(scoped_catch, manager)


def _tree(workflow: Any) -> list[Task]:
    """The workflow's tasks in tree order: the same after a restore from rows (its task dict's order is not)."""
    return list(workflow.task_tree)


def _scopes(workflow: Any) -> list[Any]:
    return [workflow, *[sp for sp in workflow.subprocesses.values() if not sp.completed]]


def _start_event(subworkflow: Any) -> Task | None:
    return next((t for t in _tree(subworkflow) if t.parent is not None and t.parent.task_spec.name == "Start"
                 and t.workflow is subworkflow), None)


def is_event_subprocess(task_spec: Any) -> bool:
    """An event subprocess (SpiffWorkflow's parser gives it the plain subprocess class): started by the process's
    Start task, as every event subprocess is once connected (``connect_event_subprocesses``)."""
    return isinstance(task_spec, SubWorkflowTask) and any(getattr(i, "name", None) == "Start" for i in task_spec.inputs)


def _instances(top: Any, scope: Any) -> list[tuple[Task, Any, Task | None]]:
    """(event subprocess task, its subworkflow, its start event task) of every event subprocess in ``scope``."""
    found = []
    for task in _tree(scope):
        if is_event_subprocess(task.task_spec):
            sub = top.subprocesses.get(task.id)
            found.append((task, sub, _start_event(sub) if sub is not None else None))
    return found


def settle(workflow: Any) -> bool:
    """Arm, interrupt and close event subprocesses in every running scope, and arm non-interrupting boundary
    events again (``engine.bpmn.repeating``); True when anything changed."""
    changed = rearm_boundaries(workflow)
    for scope in _scopes(workflow):
        if scope.completed or not any(is_event_subprocess(o) for o in scope.spec.start.outputs):
            continue  # most processes have no event subprocess: nothing to walk
        changed = _interrupt(workflow, scope) or changed
        changed = _close(workflow, scope) or changed
        changed = _arm(workflow, scope) or changed
        for join in [t for t in _tree(scope) if t.task_spec.name.endswith(".EndJoin")
                     and t.state == TaskState.WAITING]:
            join.task_spec._update(join)  # a join waits for every branch: re-check after cancelling some
            changed = changed or join.state != TaskState.WAITING
    return changed


def _interrupting(start: Task | None) -> bool:
    return start is not None and _spec_interrupting(start.task_spec)


def _interrupt(top: Any, scope: Any) -> bool:
    changed = False
    for task, _, start in _instances(top, scope):
        if start is None or start.state != TaskState.COMPLETED or not _interrupting(start) \
                or task.internal_data.get(_HANDLED):
            continue
        task.internal_data[_HANDLED] = True
        keep = {id(t) for t in _ancestors(task)} | {id(task)}
        for other in list(_tree(scope)):
            if id(other) not in keep and other.state & TaskState.NOT_FINISHED_MASK and other.parent is not None \
                    and not _under(other, task) and other.task_spec.name not in _ENDS \
                    and not other.task_spec.name.endswith(".EndJoin"):
                other.cancel()
        changed = True
    return changed


def _ancestors(task: Task) -> list[Task]:
    found, current = [], task.parent
    while current is not None:
        found.append(current)
        current = current.parent
    return found


def _under(task: Task, ancestor: Task) -> bool:
    return any(a is ancestor for a in _ancestors(task))


def _close(top: Any, scope: Any) -> bool:
    """The main flow ended: cancel the event subprocesses that never started, so the scope can complete."""
    instances = _instances(top, scope)
    idle = [task for task, _, start in instances if start is not None and start.state == TaskState.WAITING
            and task.state & TaskState.NOT_FINISHED_MASK]
    if not idle:
        return False
    inside = {id(t) for task, _, _ in instances for t in task}
    live = [t for t in _tree(scope) if t.state & TaskState.NOT_FINISHED_MASK and id(t) not in inside
            and not _end(t)]
    if live or not any(_end(t) and t.state == TaskState.WAITING for t in _tree(scope)):
        return False
    for task in idle:
        task.cancel()
    return True


def _end(task: Task) -> bool:
    name = str(task.task_spec.name)
    return name == "End" or name.endswith(".EndJoin")


def _arm(top: Any, scope: Any) -> bool:
    """Arm a non-interrupting message-, signal- or escalation-started event subprocess again once its instance has
    started, so the next occurrence starts another (BPMN: each occurrence starts one)."""
    start_spec = scope.spec.start
    if _main_flow_over(top, scope):
        return False
    instances = _instances(top, scope)
    start_task = next((t for t in _tree(scope) if t.task_spec is start_spec), None)
    changed = False
    for task_spec in start_spec.outputs:
        sub_spec = top.subprocess_specs.get(getattr(task_spec, "spec", None))
        starts = list(getattr(sub_spec, "bpmn_start_events", []) or [])
        if start_task is None or not is_event_subprocess(task_spec) or not starts or any(
                _spec_interrupting(s) or not isinstance(s.event_definition, _REPEATING) for s in starts):
            continue
        mine = [(t, s) for t, _, s in instances if t.task_spec is task_spec]
        if mine and not any(s is not None and s.state == TaskState.WAITING for _, s in mine):
            start_spec.trigger_wf(start_task, task_spec.name)
            changed = True
    return changed


def _spec_interrupting(start_spec: Any) -> bool:
    return bool((getattr(start_spec, "extensions", None) or {}).get(INTERRUPTING, True))


def _main_flow_over(top: Any, scope: Any) -> bool:
    """Interrupted already, or the main flow has nothing left but its end."""
    instances = _instances(top, scope)
    if any(t.internal_data.get(_HANDLED) for t, _, _ in instances):
        return True
    inside = {id(t) for task, _, _ in instances for t in task}
    return not any(t.state & TaskState.NOT_FINISHED_MASK and id(t) not in inside and not _end(t)
                   for t in _tree(scope))


def scoped_catch(manager: EventManager, event: Any, internal: bool = True) -> int:
    """EventManager.catch, but an error or escalation goes scope by scope to one catcher (see the module)."""
    if not isinstance(event.event_definition, CodeEventDefinition):
        return int(EventManager.catch(manager, event, internal))
    top = manager.workflow
    scope, came_from = event.target or _thrower_scope(top, event), None
    while scope is not None:
        candidates: list[Task] = _boundary_candidates(came_from, event) if came_from is not None else []
        chosen = _most_specific(candidates or _start_candidates(top, scope, event), event)
        if chosen is not None:
            chosen.task_spec.catch(chosen, event)
            chosen.task_spec._update(chosen)
            # Non-interrupting: armed again at once, so a second escalation of the same step is caught too.
            if is_repeating_boundary(chosen):
                rearm_boundary(chosen)
            elif not candidates:
                _arm(top, scope)
            return 1
        came_from = top.get_task_from_id(scope.parent_task_id) if scope.parent_task_id is not None else None
        scope = scope.parent_workflow
    top.bpmn_events.append(event)
    return 0


def _thrower_scope(top: Any, event: Any) -> Any:
    """The workflow of the event that is throwing ``event`` (SpiffWorkflow's spiff error and escalation events throw
    without a target): the ready throw or end event holding that very definition."""
    for task in top.get_tasks(state=TaskState.READY):
        if getattr(task.task_spec, "event_definition", None) is event.event_definition:
            return task.workflow
    return top


def _most_specific(candidates: list[Task], event: Any) -> Task | None:
    code = getattr(event.event_definition, "code", None)
    named = [t for t in candidates if getattr(t.task_spec.event_definition, "code", None) == code]
    return (named or candidates or [None])[0]


def _boundary_candidates(activity: Task, event: Any) -> list[Task]:
    parent = activity.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return []
    return [s for s in parent.children if s is not activity and s.state == TaskState.WAITING
            and s.task_spec.catches(s, event)]


def _start_candidates(top: Any, scope: Any, event: Any) -> list[Task]:
    """The waiting error/escalation start events of the scope's event subprocesses that catch ``event``."""
    return [start for _, _, start in _instances(top, scope) if start is not None and start.state == TaskState.WAITING
            and isinstance(start.task_spec.event_definition, CodeEventDefinition)
            and start.task_spec.catches(start, event)]


def connect_event_subprocesses(spec: Any) -> None:
    """At deploy, before the spec is serialized: start every event subprocess with its process, as SpiffWorkflow
    does for timer-started ones (it connects message-, signal-, error- and escalation-started ones only once one
    is caught, changing the shared spec at run time). Each then waits at its start event from the start."""
    start = spec.start
    for name in list(getattr(start, "trigger_specs", [])):
        task_spec = spec.task_specs.get(name)
        if task_spec is not None and start not in task_spec.inputs:
            start.connect(task_spec)
            task_spec.connect(spec.end)
        start.trigger_specs.remove(name)
