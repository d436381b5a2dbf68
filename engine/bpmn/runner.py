"""The SpiffWorkflow runner: start, complete, deliver, fire timers, advance, and report what changed."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import catching, event_subprocesses
from engine.bpmn.bpmn_errors import run_engine_steps
from engine.bpmn.budget import ScriptLimits
from engine.bpmn.determinism import stable_error_text
from engine.bpmn.event_projection import thrown_signals
from engine.bpmn.external import complete_job, throw_error
from engine.bpmn.projection import StepOutcome, project_step
from engine.bpmn.restore import full_state, restore_workflow
from engine.bpmn.sandbox import GridcaseScriptEngine
from engine.bpmn.specs import LoadedSpec
from engine.bpmn.state import StateTracker
from engine.bpmn.step_limits import clock_views
from engine.domain.audit.facts import fact_records
from engine.domain.clock import StepClock
from engine.domain.duty_calendar import computing_at
from engine.domain.errors import (
    ConcurrencyConflict,
    GridcaseError,
    InvalidCommand,
    NotFound,
    ScriptRejected,
    WorkflowTooDeep,
)
from engine.domain.events import canonical_json
from engine.domain.summary import CaseSummary, summarise

_T = TypeVar("_T")
# SpiffWorkflow's task iterator silently stops at depth 1000; refuse to go near it.
DEFAULT_DEPTH_LIMIT = 950


@dataclass
class OutgoingMessage:
    """A message a case threw that no task inside it caught; delivered to other cases after commit."""

    name: str
    payload: Any
    correlation: dict[str, Any] = field(default_factory=dict)


class WorkflowRunner:
    """One case's workflow in memory, with the tracker that knows what each step changed."""

    def __init__(self, loaded: LoadedSpec, workflow: BpmnWorkflow, *, fresh: bool,
                 depth_limit: int = DEFAULT_DEPTH_LIMIT, helpers: Mapping[str, Any] | None = None,
                 limits: ScriptLimits | None = None) -> None:
        self.loaded = loaded
        self.workflow = workflow
        self.depth_limit = depth_limit
        self.clock = StepClock()
        # The script engine is never serialized: attach a fresh one after every load. Each runner
        # has its own, reading the step's clock, so concurrent cases never share time.
        workflow.script_engine = GridcaseScriptEngine(self.clock, helpers, limits)
        event_subprocesses.attach(workflow)  # errors and escalations scope by scope (not serialized either)
        self._helpers = helpers
        self.limits = limits
        self._max_data = (limits or ScriptLimits()).max_case_data_chars
        self.tracker = StateTracker(workflow, fresh=fresh)
        self._submitted: dict[UUID, dict[str, Any]] = {}
        self._summary: CaseSummary | None = None  # last written; a restored runner writes it again once
        self._max_depth = 0
        # The case data as the last step left it: each step records what it changed (data_changed).
        self._data: dict[str, Any] = {} if fresh else self._case_data()

    @classmethod
    def start(cls, loaded: LoadedSpec, data: dict[str, Any], depth_limit: int = DEFAULT_DEPTH_LIMIT,
              helpers: Mapping[str, Any] | None = None, limits: ScriptLimits | None = None) -> WorkflowRunner:
        """A new workflow with ``data`` as its start data (not yet advanced); scripts run within ``limits``."""
        workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(copy.deepcopy(data))
        return cls(loaded, workflow, fresh=True, depth_limit=depth_limit, helpers=helpers, limits=limits)

    @classmethod
    def restore(cls, loaded: LoadedSpec, meta_json: str, rows: list[dict[str, Any]],
                depth_limit: int = DEFAULT_DEPTH_LIMIT, helpers: Mapping[str, Any] | None = None,
                limits: ScriptLimits | None = None) -> WorkflowRunner:
        """Rebuild from stored rows (see ``engine.bpmn.state``); scripts run within ``limits``."""
        workflow = restore_workflow(loaded, meta_json, rows)
        return cls(loaded, workflow, fresh=False, depth_limit=depth_limit, helpers=helpers, limits=limits)

    def copy(self) -> WorkflowRunner:
        """An independent copy through the stored form (to try a step whose failure must leave this one as is)."""
        state = full_state(self.workflow)
        rows = [{**row._asdict(), "data": data_json} for row, data_json in state["tasks"].values()]
        return WorkflowRunner.restore(self.loaded, state["meta"], rows, depth_limit=self.depth_limit,
                                      helpers=self._helpers, limits=self.limits)

    @property
    def completed(self) -> bool:
        return bool(self.workflow.completed)

    def human_task(self, task_id: str) -> Task:
        """The ready user/manual task with this id, or a clear error."""
        task = self._task(task_id)
        if not task.task_spec.manual:
            raise InvalidCommand(f"task {task_id} ({task.task_spec.bpmn_id}) is not a human task", field="task_id")
        if task.state != TaskState.READY:
            raise ConcurrencyConflict(
                f"task {task_id} ({task.task_spec.bpmn_id}) is {TaskState.get_name(task.state).lower()}, not ready"
            )
        return task

    def complete(self, task_id: str, data: dict[str, Any], now: datetime) -> None:
        """Complete a ready human task with the submitted form data."""
        self.clock.set(now)
        task = self.human_task(task_id)
        self._submitted[task.id] = copy.deepcopy(data)  # the audit keeps what was submitted
        task.data.update(data)
        self._run(task.run)

    def complete_job(self, task_id: str, variables: dict[str, Any], now: datetime) -> None:
        """Complete a waiting external service task with its worker's variables (``engine.bpmn.external``)."""
        self.clock.set(now)
        self._run(functools.partial(complete_job, self._task(task_id), variables))

    def throw_job_error(self, task_id: str, code: str, variables: dict[str, Any], now: datetime) -> None:
        """Throw BPMN error ``code`` from a waiting external service task to its error boundary event."""
        self.clock.set(now)
        self._run(functools.partial(throw_error, self._task(task_id), code, variables))

    def deliver(self, name: str, payload: Any, now: datetime, task_ids: tuple[str, ...] = ()) -> int:
        """Deliver a message to the events waiting for it (only ``task_ids`` when given)."""
        self.clock.set(now)
        if self.workflow.last_task is None:
            self._run(lambda: self._open_start_events(name))
        else:
            self._run(self.workflow.do_engine_steps)
        if name.startswith(catching.TIMER_PREFIX):
            return 1  # a timer start event: fired when the start events were opened
        waiting = [(t, d) for t, d in catching.waiting_catchers(self.workflow, name)
                   if not task_ids or str(t.id) in task_ids]
        if not waiting:
            raise ConcurrencyConflict(f"the case is no longer waiting for message {name!r}")
        for task, definition in waiting:
            self._run(functools.partial(catching.catch, task, definition, payload))
        return len(waiting)

    def waiting_for(self, name: str) -> list[tuple[str, str]]:
        """(task id, BPMN id) of the events waiting for message ``name`` (``signal:NAME``: a signal)."""
        return [(str(t.id), t.task_spec.bpmn_id) for t, _ in catching.waiting_catchers(self.workflow, name)]

    def _open_start_events(self, message: str | None) -> None:
        """A new case started by ``message`` (None: its none start event): open its start events and cancel every
        other one (None: only the timer start events; a cycle's branches spawned for past occurrences never run).
        A process may have a none start event beside its message start events (reports and camera
        detections enter one lifecycle); SpiffWorkflow would fire the none start event first."""
        while ready := [t for t in self.workflow.get_tasks(state=TaskState.READY) if not isinstance(
                t.task_spec, StartEvent) and not (t.parent and isinstance(t.parent.task_spec, StartEvent))]:
            for task in ready:
                task.run()
        for task in self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            if not isinstance(task.task_spec, StartEvent) or task.workflow is not self.workflow:
                continue  # an event subprocess's start event is no start of the case
            if message is None:
                if any(n.startswith(catching.TIMER_PREFIX) for n in catching.start_names(task.task_spec)):
                    task.cancel()  # started by hand: its timers never start it
            elif catching.is_timer_start(task, message):
                catching.start_timer(task)
            elif catching.matching(task, message) is None:
                task.cancel()

    def advance(self, now: datetime) -> StepOutcome:
        """Run engine steps and due timers until nothing more can move; then diff and project."""
        self.clock.set(now)
        if self.workflow.last_task is None and catching.has_timer_start(self.loaded.spec):  # started by hand
            catching.check_hand_start(self.loaded.spec)  # a timer-only process: refused (no none start to take)
            self._run(lambda: self._open_start_events(None))
        self._run(self._advance_until_quiet)
        diff = self._run(self.tracker.diff)
        self._check_depth(diff.tasks.values())
        outgoing = [
            OutgoingMessage(e.event_definition.name, _as_object(e.payload), dict(e.correlations or {}))
            for e in self.workflow.get_events() if isinstance(e.event_definition, MessageEventDefinition)
        ] + [OutgoingMessage(name, payload) for name, payload in self._run(lambda: thrown_signals(diff.transitions))]
        outcome = self._run(lambda: project_step(self.workflow, diff, self._submitted, now))
        outcome.outgoing = outgoing
        outcome.milestones = self.loaded.milestones
        self._submitted = {}
        # The newest data of the top workflow: its last finished task (the end event once complete).
        last = self.workflow.last_task
        summary = summarise(last.data if last is not None else {})
        if summary != self._summary:
            outcome.summary = self._summary = summary
        data = self._case_data(self._max_data)
        with computing_at(now):
            outcome.human_tasks = clock_views(outcome.human_tasks, self.loaded.step_limits, data, now,
                                              self._helpers, self.limits)
        changed = fact_records(self._data, data)
        if changed:
            outcome.records.extend(changed)
            outcome.case_data = data
        self._data = data
        return outcome

    def _case_data(self, limit: int | None = None) -> dict[str, Any]:
        """The newest case data (the top workflow's last finished task), JSON-normalised; ScriptRejected when a
        step made it longer than ``limit`` characters (each script's result is bounded, a loop of them is not)."""
        last = self.workflow.last_task
        text = canonical_json(last.data if last is not None else {})
        if limit is not None and len(text) > limit:
            where = last.task_spec.bpmn_id if last is not None else "?"
            raise ScriptRejected(f"{where}: the case's data would be {len(text):,} characters of JSON, more than "
                                 f"{limit:,}; keep large content out of task data")
        data: dict[str, Any] = json.loads(text)
        return data

    def _advance_until_quiet(self) -> None:
        # do_engine_steps refreshes timers only at its end; a timer that fires there leaves ready
        # engine tasks behind, so go on until no touched task is a ready engine task.
        for _ in range(10_000):
            run_engine_steps(self.workflow)  # do_engine_steps, throwing the BPMN errors scripts raise
            if not any(t.state == TaskState.READY and not t.task_spec.manual for t in self.tracker.touched()):
                return
        raise InvalidCommand("the workflow did not settle after 10000 engine passes (endless loop?)")

    def _run(self, action: Callable[[], _T]) -> _T:
        # Messages lose memory addresses (a script may quote a function): a failed timer's error is stored,
        # and replay compares it. Deadlines use the duty calendar as known at the step's time, as replay does.
        try:
            with computing_at(self.clock.now()):
                return action()
        except WorkflowTaskException as exc:
            cause = getattr(exc, "exception", None)
            if isinstance(cause, GridcaseError):
                raise cause from exc  # e.g. reject(): the process refused the submitted data
            where = exc.task_spec.bpmn_id if getattr(exc, "task_spec", None) is not None else "?"
            raise ScriptRejected(stable_error_text(f"{where}: {exc}")) from exc
        except SpiffWorkflowException as exc:
            raise InvalidCommand(stable_error_text(f"workflow error: {exc}")) from exc
        except ValueError as exc:  # e.g. a timer expression that gave no usable date or duration
            raise ScriptRejected(stable_error_text(f"{exc}")) from exc
        except GridcaseError:
            raise
        except Exception as exc:  # SpiffWorkflow itself failed on this model: report it, never a 500
            message = f"the workflow engine failed: {type(exc).__name__}: {exc}"
            raise InvalidCommand(stable_error_text(message)) from exc

    def _check_depth(self, touched: Iterable[Task]) -> None:
        deepest = self._max_depth
        for task in touched:
            deepest = max(deepest, _depth_from(task, self.tracker))
        self._max_depth = deepest
        if deepest >= self.depth_limit:
            raise WorkflowTooDeep(
                f"the case's task tree reached depth {deepest} (limit {self.depth_limit}); SpiffWorkflow "
                "stops iterating at 1000, so a loop in this process has run too often. Model the "
                "repetition as a new case or a call activity instead of an unbounded loop."
            )

    def _task(self, task_id: str) -> Task:
        try:
            uid = UUID(task_id)
        except ValueError:
            raise InvalidCommand(f"task id {task_id!r} is not a UUID", field="task_id") from None
        task = self.workflow.get_task_from_id(uid)
        if task is None:
            raise NotFound(f"task {task_id} not found in this case", field="task_id")
        return task


def _as_object(payload: Any) -> dict[str, Any]:
    return payload if isinstance(payload, dict) else {"value": payload}


def _depth_from(task: Task, tracker: StateTracker) -> int:
    cache = tracker.depths
    chain = []
    current: Task | None = task
    while current is not None and current.id not in cache:
        chain.append(current)
        current = current.parent
    depth = cache[current.id] if current is not None else -1
    for item in reversed(chain):
        depth += 1
        cache[item.id] = depth
    return depth
