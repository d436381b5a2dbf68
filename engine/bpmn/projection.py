"""Turn one step's diff into what the rest of gridcase stores: audit records, human tasks, timers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.event_projection import catches_signal, is_gateway, project_gateway, project_signal_catch
from engine.bpmn.external import is_external, project_job
from engine.bpmn.feel_expressions import candidate_group, is_feel
from engine.bpmn.restore import workflow_meta
from engine.bpmn.state import StateDiff
from engine.bpmn.step_limits import task_step
from engine.bpmn.timer_projection import project_timer
from engine.bpmn.timers import timer_due_at
from engine.domain import events as ev
from engine.domain.summary import CaseSummary
from engine.domain.views import HumanTaskView, MessageWait, PendingTimer, StepRecord

_HUMAN_STATES = {TaskState.READY: "ready", TaskState.COMPLETED: "completed", TaskState.CANCELLED: "cancelled"}


@dataclass
class StepOutcome:
    """Everything one step changed, as plain values ready for the repository."""

    diff: StateDiff
    workflow_json: str
    completed: bool
    records: list[StepRecord] = field(default_factory=list)
    human_tasks: list[HumanTaskView] = field(default_factory=list)
    timers: list[PendingTimer] = field(default_factory=list)
    timers_ended: list[tuple[str, str, int]] = field(default_factory=list)  # (task id, status, firings)
    message_waits: list[MessageWait] = field(default_factory=list)
    message_waits_ended: list[str] = field(default_factory=list)
    outgoing: list[Any] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)  # where the repository stored ``outgoing``
    gone_tasks: list[str] = field(default_factory=list)  # removed from the tree: cancel their rows
    summary: CaseSummary | None = None  # the case summary, when the step changed it
    case_data: dict[str, Any] | None = None  # the case's newest data, when the step changed it (step hooks)
    milestones: dict[str, str] = field(default_factory=dict)  # the version's BPMN id → milestone (not copied)
    jobs: list[Any] = field(default_factory=list)  # external-worker jobs opened (engine.domain.jobs.JobView)
    jobs_ended: list[tuple[str, str]] = field(default_factory=list)  # (task id, job state) of jobs the step ended


def project_step(workflow: BpmnWorkflow, diff: StateDiff, submitted: dict[UUID, dict[str, Any]],
                 now: datetime) -> StepOutcome:
    """Project the step's state transitions; ``submitted`` holds form data of completed tasks."""
    out = StepOutcome(diff=diff, workflow_json=workflow_meta(workflow), completed=bool(workflow.completed))
    timers_seen = set()
    for task, old_state in diff.transitions:
        spec = task.task_spec
        definition = getattr(spec, "event_definition", None)
        if _project_event(out, task, old_state, workflow):
            continue  # external-task jobs, event-based gateways, signal catches
        if spec.manual:
            _human_transition(out, task, submitted.get(task.id))
        elif isinstance(definition, TimerEventDefinition):
            timers_seen.add(str(task.id))
            project_timer(out, task, old_state, diff.previous_internal.get(str(task.id)))
        elif isinstance(definition, MessageEventDefinition) and isinstance(spec, CatchingEvent):
            _message_transition(out, task, workflow)
    for tid, task in diff.tasks.items():  # a cycle timer fires without changing state
        definition = getattr(task.task_spec, "event_definition", None)
        if tid not in timers_seen and isinstance(definition, TimerEventDefinition):
            project_timer(out, task, task.state, diff.previous_internal.get(tid))
    for gone_id, old_state in diff.gone:
        _gone(out, str(gone_id), old_state)
    return out


def _human_transition(out: StepOutcome, task: Task, submitted: dict[str, Any] | None) -> None:
    state = _HUMAN_STATES.get(task.state)
    if state is None:
        return
    out.human_tasks.append(human_task_view(task, state))
    kind = {"ready": ev.TASK_READY, "completed": ev.TASK_COMPLETED, "cancelled": ev.TASK_CANCELLED}[state]
    view = out.human_tasks[-1]
    data: dict[str, Any] = {}
    if state == "completed":
        data = dict(submitted or {})
    elif state == "ready":  # the deadline and group as they were when the task was offered
        data = {"due_at": view.due_at.isoformat() if view.due_at is not None else None,
                "group": view.candidate_group}
    out.records.append(StepRecord(kind, str(task.id), task.task_spec.bpmn_id, data))


def human_task_view(task: Task, state: str) -> HumanTaskView:
    """The person-facing view of a user or manual task."""
    spec = task.task_spec
    props = (getattr(spec, "extensions", None) or {}).get("properties", {})
    return HumanTaskView(
        task_id=str(task.id),
        bpmn_id=spec.bpmn_id,
        name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane,
        candidate_group=_candidate_group(task, props),
        state=state,
        form=props.get("form") or props.get("formKey"),
        due_at=_boundary_due_at(task, props.get("dueTimer")),
        step=task_step(spec),
    )


def _candidate_group(task: Task, props: dict[str, str]) -> str | None:
    """The task's group: the property as written, or, written ``=…``, its FEEL value (a string or a one-string
    list; anything else fails the step: engine.bpmn.feel_expressions); else the lane."""
    value = props.get("candidateGroups") or props.get("candidateGroup")
    if is_feel(value):
        try:
            return candidate_group(task.workflow.script_engine.evaluate(task, value.strip()))
        except ValueError as err:  # a value that is no group: the step fails naming the task
            legacy = _python_group(task, value.strip()[1:])
            if legacy is not None:
                return legacy
            raise WorkflowTaskException(f"candidateGroups {value.strip()!r}: {err}", task=task, exception=err) from err
    return value or task.task_spec.lane


def _python_group(task: Task, expression: str) -> str | None:
    """The group of a candidate-group expression written in sandboxed Python, or None.

    Before FEEL, gridcase read ``=…`` in ``candidateGroups`` as a Python expression (``="collector:" +
    report["district"]``), and versions deployed then are still stored and running (and replayed). Such text is
    often valid FEEL too but gives null there (``report["district"]`` is a filter), so where FEEL gives no group,
    the same text as Python is tried; a group it gives is the task's. FEEL's own answer always wins when it is one.
    """
    try:
        value = task.workflow.script_engine.evaluate(task, expression)
    except Exception:  # not Python, or failing as Python: the FEEL error is the one reported
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _boundary_due_at(task: Task, due_timer: str | None) -> datetime | None:
    """The task's due time: its boundary timer named by the ``dueTimer`` property (the deadline, not an
    earlier warning), else its earliest waiting boundary timer."""
    # A task with boundary events sits under a BoundaryEventSplit next to its event tasks.
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith(".BoundaryEventSplit"):
        return None
    siblings = [sibling for sibling in parent.children if sibling is not task]
    if due_timer:
        named = [due for s in siblings if s.task_spec.bpmn_id == due_timer
                 for due in [timer_due_at(s, fired_too=True)] if due is not None]
        return named[0][1] if named else None
    dues = [due for sibling in siblings for due in [timer_due_at(sibling)] if due is not None]
    return min((d for _, d in dues), default=None)


def _message_transition(out: StepOutcome, task: Task, workflow: BpmnWorkflow) -> None:
    spec = task.task_spec
    name = spec.event_definition.name
    if task.state == TaskState.WAITING:
        out.message_waits.append(MessageWait(str(task.id), name, message_correlation(task, workflow)))
    elif task.state in (TaskState.COMPLETED, TaskState.CANCELLED):
        out.message_waits_ended.append(str(task.id))
        if task.state == TaskState.COMPLETED:
            out.records.append(StepRecord(ev.MESSAGE_RECEIVED, str(task.id), spec.bpmn_id, {"message": name}))


def message_correlation(task: Task, workflow: BpmnWorkflow) -> dict[str, Any]:
    """What a waiting message event correlates on: SpiffWorkflow's correlations plus the task data
    fields named in its ``correlateOn`` extension property (comma separated)."""
    props = (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
    fields = [f.strip() for f in props.get("correlateOn", "").split(",") if f.strip()]
    return {**workflow.correlations, **{f: task.data.get(f) for f in fields}}


def _project_event(out: StepOutcome, task: Task, old_state: int | None, workflow: BpmnWorkflow) -> bool:
    """Project an external-task job, an event-based gateway or a signal catch event (engine.bpmn.event_projection);
    False for other tasks."""
    if is_external(task.task_spec):
        project_job(out, task, old_state)
    elif is_gateway(task.task_spec):
        project_gateway(out, task, old_state, lambda t, bpmn_id: _branch_correlation(t, bpmn_id, workflow))
    elif catches_signal(task.task_spec):
        project_signal_catch(out, task)
    else:
        return False
    return True


def _branch_correlation(task: Task, bpmn_id: str, workflow: BpmnWorkflow) -> dict[str, Any]:
    """What an event-based gateway's message branch correlates on (its event's ``correlateOn`` fields)."""
    branch = next(o for o in task.task_spec.outputs if o.bpmn_id == bpmn_id)
    props = (getattr(branch, "extensions", None) or {}).get("properties", {})
    fields = [f.strip() for f in props.get("correlateOn", "").split(",") if f.strip()]
    return {**workflow.correlations, **{f: task.data.get(f) for f in fields}}


def _gone(out: StepOutcome, tid: str, old_state: int) -> None:
    # A live task was removed from the tree (a predicted branch pruned, a subprocess ended).
    out.gone_tasks.append(tid)
    if old_state == TaskState.READY:
        out.records.append(StepRecord(ev.TASK_CANCELLED, tid, None, {}))
    elif old_state == TaskState.STARTED:  # a job's task (or a subprocess) went with its branch
        out.jobs_ended.append((tid, "cancelled"))
