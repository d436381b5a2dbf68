"""Move a running case's workflow onto another version of its process, where that is safe.

SpiffWorkflow aligns the old spec with the new one (``SpecDiff``: by BPMN id, then by structure) and
reports which task specs changed or vanished. A case may move when nothing it has done depends on a
change: no completed, started or failed task was changed or removed, no ready or waiting task was
removed, no task record would point at a spec the new version lacks, and every subprocess it runs
still exists.

Moving differs from SpiffWorkflow's ``migrate_workflow`` in what is reset: that resets *every* ready
and waiting task, which restarts unchanged timers (a four-hour deadline would begin again) and drops
the branches a cycle timer already fired. Here only the ready/waiting tasks whose spec changed are
reset (so a changed timer starts over under its new definition, from the migration time, and a
renamed task is offered again); the other live tasks keep their state and only their predicted
successors are rebuilt from the new spec, when one of those changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.projection import human_task_view
from engine.bpmn.runner import WorkflowRunner
from engine.bpmn.specs import SERIALIZER, LoadedSpec
from engine.bpmn.state import TOP, StateTracker
from engine.domain.errors import InvalidCommand
from engine.domain.views import HumanTaskView

_REGISTRY = SERIALIZER.registry
_DONE = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR  # what the case did (or is doing)
_LIVE = TaskState.READY | TaskState.WAITING
_PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
_UNFINISHED = TaskState.NOT_FINISHED_MASK
# What a finished task did does not depend on these: its label, documentation, lane, incoming flows.
_DESCRIPTIVE = frozenset({"bpmn_name", "description", "documentation", "lane", "inputs"})


@dataclass(frozen=True)
class MigrationCheck:
    """Whether a case can move to the new version; ``reasons`` name the BPMN elements in the way."""

    safe: bool
    reasons: list[str]


@dataclass
class _WorkflowPlan:
    """What moving one (sub)workflow does: new spec, task spec alignment, tasks to reset or re-predict."""

    key: str
    workflow: Any
    new_spec: Any
    aligned: dict[Any, Any] = field(default_factory=dict)  # old task spec -> new task spec (None: removed)
    changes: dict[Any, list[str]] = field(default_factory=dict)  # old task spec -> changed attributes
    reset: list[Task] = field(default_factory=list)
    repredict: list[Task] = field(default_factory=list)


def check_migration(workflow: Any, new_loaded: LoadedSpec) -> MigrationCheck:
    """Can ``workflow`` (a BpmnWorkflow) move to ``new_loaded``? Changes nothing."""
    _plans, reasons = _plan(workflow, new_loaded)
    return MigrationCheck(not reasons, reasons)


def migrate(runner: WorkflowRunner, new_loaded: LoadedSpec, now: datetime) -> None:
    """Move the runner's workflow to ``new_loaded`` in memory (InvalidCommand when unsafe).

    Afterwards the runner's next ``advance`` writes every task the move changed: reset and re-predicted
    tasks, removed predictions, finished tasks aligned to a renamed spec. A reset task counts as newly
    ready/waiting, so its human task row, timer row and audit records follow the new definition.
    """
    workflow = runner.workflow
    plans, reasons = _plan(workflow, new_loaded)
    if reasons:
        raise InvalidCommand("the case cannot move to the new version: " + "; ".join(reasons))
    runner.clock.set(now)  # a reset timer is evaluated at once, on the step's clock
    workflow.subprocess_specs = new_loaded.subprocess_specs
    for plan in plans:
        _apply(plan, runner.tracker)
    runner.tracker.quick.clear()  # predicted tasks may now stand under another spec: encode them again
    runner.loaded = new_loaded


def _apply(plan: _WorkflowPlan, tracker: StateTracker) -> None:
    wf = plan.workflow
    wf.spec = plan.new_spec
    for task in list(wf.tasks.values()):
        new = plan.aligned.get(task.task_spec)
        if new is None:
            continue  # a removed prediction: dropped below with the branch it hangs on
        renamed = new.name != task.task_spec.name
        task.task_spec = new
        if renamed and not task._state & _UNFINISHED:
            tracker.live[task.id] = (plan.key, task._state)  # finished, yet its row must be written once
    for task in plan.reset:
        if task.id in wf.tasks:
            task.reset_branch(None)
            if task.id in tracker.live:  # count it as newly ready/waiting: projections and audit follow
                tracker.live[task.id] = (plan.key, TaskState.FUTURE)
    for task in plan.repredict:
        if task.id in wf.tasks and task._state & _UNFINISHED:
            _repredict(task)
    if wf.last_task is not None and wf.last_task.id not in wf.tasks:
        wf.last_task = None
    _check_specs(wf)


def _check_specs(wf: Any) -> None:
    """Every task must stand under a spec of the new version (else the stored rows could not restore)."""
    stale = [t for t in wf.tasks.values() if wf.spec.task_specs.get(t.task_spec.name) is not t.task_spec]
    if stale:
        raise InvalidCommand(f"migration left task {_label(stale[0].task_spec)} without a spec in the new version")


def ready_human_views(workflow: Any) -> list[HumanTaskView]:
    """The views of every ready user/manual task of the workflow and its subworkflows."""
    views = []
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if task._state == TaskState.READY and task.task_spec.manual:
                views.append(human_task_view(task, "ready"))
    return views


# -- planning ------------------------------------------------------------------------------------


def _plan(workflow: Any, new_loaded: LoadedSpec) -> tuple[list[_WorkflowPlan], list[str]]:
    reasons: list[str] = []
    plans = [_plan_workflow(TOP, workflow, new_loaded.spec, "", reasons)]
    for key, sub in workflow.subprocesses.items():
        where = f"in subprocess {sub.spec.name}: "
        new_spec = new_loaded.subprocess_specs.get(sub.spec.name)
        if new_spec is None:
            reasons.append(f"subprocess {sub.spec.name} is running but the new version does not define it")
            continue
        plans.append(_plan_workflow(str(key), sub, new_spec, where, reasons))
    return plans, reasons


def _plan_workflow(key: str, wf: Any, new_spec: Any, where: str, reasons: list[str]) -> _WorkflowPlan:
    plan = _WorkflowPlan(key, wf, new_spec)
    _align(plan)
    anchors: dict[Task, list[Task]] = {}  # live task -> its changed/removed predicted descendants
    for task in _tree_order(wf):
        problem = _classify(plan, task, anchors)
        if problem and where + problem not in reasons:
            reasons.append(where + problem)
    resets = set(plan.reset)
    for anchor, stale in anchors.items():
        if anchor in plan.repredict or anchor in resets or any(a in resets for a in _ancestors(anchor)):
            continue
        if anchor._state & _DONE and plan.changes.get(anchor.task_spec):
            continue  # a changed started task: refused already
        if not _only_predicted(anchor.children):
            names = ", ".join(sorted({_label(t.task_spec) for t in stale}))
            reasons.append(f"{where}the predicted path after {_label(anchor.task_spec)} changed ({names}) and "
                           "cannot be rebuilt")
            continue
        plan.repredict.append(anchor)
    return plan


def _align(plan: _WorkflowPlan) -> None:
    """SpiffWorkflow's alignment of old task specs with new ones, and what changed in each."""
    diff = SpecDiff(_REGISTRY, plan.workflow.spec, plan.new_spec)
    for old in plan.workflow.spec.task_specs.values():
        if old in diff.alignment:
            new = diff.alignment[old]
            changes = diff.comparisons.get(old, []) if new is not None else []
        else:  # not reachable from the start event: align by BPMN id
            new = plan.new_spec.task_specs.get(old.name)
            changes = _compare(old, new) if new is not None else []
        plan.aligned[old] = new
        plan.changes[old] = changes


def _classify(plan: _WorkflowPlan, task: Task, anchors: dict[Task, list[Task]]) -> str | None:
    """Why this task keeps the case from moving (None: it can move); notes tasks to reset or re-predict."""
    spec, state = task.task_spec, task._state
    new, changes = plan.aligned.get(spec), plan.changes.get(spec, [])
    label, state_name = _label(spec), TaskState.get_name(state).lower()
    if state & _DONE:  # what the case did, or is doing, must mean the same in the new version
        return f"{state_name} task {label} was removed" if new is None else _done_changed(plan, task, state_name)
    if state & TaskState.CANCELLED:
        return f"cancelled task {label} was removed (its record needs the spec)" if new is None else None
    if state & _LIVE:
        if new is None:
            return f"{state_name} task {label} was removed: it would vanish"
        if changes:
            if any(not t._state & _UNFINISHED for t in _descendants(task)):
                return f"{state_name} task {label} changed ({', '.join(changes)}) after its branch already ran"
            plan.reset.append(task)
        return None
    if new is None or changes:  # a prediction the new spec may no longer make: predict again
        anchor = _anchor(task)
        if anchor is None:
            return f"predicted task {label} was {'removed' if new is None else 'changed'} below finished tasks"
        anchors.setdefault(anchor, []).append(task)
    return None


def _done_changed(plan: _WorkflowPlan, task: Task, state_name: str) -> str | None:
    """Why a completed, failed or started task's changed spec keeps the case from moving, if it does."""
    changes = [c for c in plan.changes.get(task.task_spec, []) if c not in _DESCRIPTIVE]
    if not changes:
        return None
    if task._state & TaskState.STARTED and changes == ["outputs"] and _only_predicted(task.children):
        plan.repredict.append(task)  # e.g. a step added after a running subprocess: predict anew
        return None
    return f"{state_name} task {_label(task.task_spec)} changed ({', '.join(changes)})"


def _compare(old: Any, new: Any) -> list[str]:
    s1, s2 = _REGISTRY.convert(old), _REGISTRY.convert(new)
    if s1.get("typename") != s2.get("typename"):
        return ["typename"]
    return [k for k, v in s1.items() if s2.get(k) != v]


def _label(spec: Any) -> str:
    return str(getattr(spec, "bpmn_id", None) or spec.name)


def _only_predicted(tasks: list[Task]) -> bool:
    return all(t._state & _PREDICTED and not t.triggered for t in tasks)


def _tree_order(wf: Any) -> Iterator[Task]:
    """The workflow's tasks from the root down (children in order), then any outside the tree."""
    seen = set()
    stack = [wf.task_tree] if wf.task_tree is not None else []
    while stack:
        task = stack.pop()
        seen.add(task.id)
        yield task
        stack.extend(reversed(task.children))
    yield from (t for t in list(wf.tasks.values()) if t.id not in seen)


def _descendants(task: Task) -> Iterator[Task]:
    stack = list(task.children)
    while stack:
        child = stack.pop()
        yield child
        stack.extend(child.children)


def _ancestors(task: Task) -> Iterator[Task]:
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _anchor(task: Task) -> Task | None:
    """The nearest live (ready, waiting, started) ancestor a predicted task hangs on, if any."""
    for ancestor in _ancestors(task):
        if ancestor._state & _PREDICTED:
            continue
        return ancestor if ancestor._state & _UNFINISHED else None
    return None


def _repredict(task: Task) -> None:
    """Drop a live task's predicted children and predict them again from the (new) spec."""
    for child in list(task.children):
        if child._state & _PREDICTED and not child.triggered:
            task.workflow._remove_task(child.id)
    task.task_spec._predict(task, mask=_PREDICTED | task._state)
