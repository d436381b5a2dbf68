"""Workflow state as rows: only the tasks a step touched are encoded, so writes don't grow with history.

A SpiffWorkflow task only changes while it is unfinished, when a child is added or removed below it,
or when it is created or removed. The tracker keeps the unfinished ("live") tasks of a case and
watches each workflow's task dict for additions and removals; that bounds the work per step by
what the step did, not by how long the case has run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.task_json import DataTooDeep, data_json, encode_data
from engine.bpmn.task_json import dumps as dumps  # re-exported: callers have long imported it from here
from engine.domain.errors import ScriptRejected

_UNFINISHED = TaskState.NOT_FINISHED_MASK
# Predicted and future tasks change only by changing state or children (their data is inherited when
# they become ready), so an unchanged (state, last change, child count) means an unchanged row.
_PREDICTED_OR_FUTURE = TaskState.PREDICTED_MASK | TaskState.FUTURE
TOP = ""


class TrackedTasks(dict):
    """A workflow's task dict that remembers which task ids were added and removed."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.added: set[UUID] = set()
        self.removed: dict[UUID, UUID | None] = {}

    def __setitem__(self, key: UUID, value: Task) -> None:
        self.added.add(key)
        super().__setitem__(key, value)

    def pop(self, key: UUID, *default: Any) -> Any:
        if key in self:
            self.removed[key] = dict.__getitem__(self, key)._parent
            self.added.discard(key)
        return super().pop(key, *default)

    def reset(self) -> None:
        self.added.clear()
        self.removed.clear()


class TaskRow(NamedTuple):
    """One task as stored in ``workflow_tasks`` (data by hash, see ``blobs``)."""

    task_id: str
    workflow_key: str
    spec_name: str
    state: int
    parent_id: str | None
    children: str
    triggered: bool
    last_state_change: float
    internal_data: str
    data_hash: str


@dataclass
class StateDiff:
    """What one step changed: rows to upsert, data blobs, removed tasks, and state transitions."""

    rows: list[TaskRow] = field(default_factory=list)
    blobs: dict[str, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    removed_workflows: list[str] = field(default_factory=list)
    transitions: list[tuple[Task, int | None]] = field(default_factory=list)
    gone: list[tuple[UUID, int]] = field(default_factory=list)
    tasks: dict[str, Task] = field(default_factory=dict)  # the encoded tasks by id, for projections
    previous_internal: dict[str, str] = field(default_factory=dict)  # internal data before the step


class IdTexts(dict[UUID, str]):
    """Task ids as text, each made once: ``str(UUID)`` is slow Python code, and an id is written as a task's own,
    as its children's parent and in its parent's child list, at every step the task is live."""

    def __missing__(self, key: UUID) -> str:
        text = self[key] = str(key)
        return text


def _id_list(ids: list[UUID], texts: IdTexts | None = None) -> str:
    if not ids:
        return "[]"
    return '["' + '","'.join(map(str if texts is None else texts.__getitem__, ids)) + '"]'


def workflows(workflow: BpmnWorkflow) -> Iterator[tuple[str, Any]]:
    yield TOP, workflow
    for key, sub in workflow.subprocesses.items():
        yield str(key), sub


class StateTracker:
    """Remembers the live tasks of one in-memory workflow and diffs it after each step."""

    def __init__(self, workflow: BpmnWorkflow, *, fresh: bool) -> None:
        self.workflow = workflow
        self.live: dict[UUID, tuple[str, int]] = {}
        self.written: dict[UUID, TaskRow] = {}
        self.subprocess_keys: set[str] = set()
        self.depths: dict[UUID, int] = {}
        self.quick: dict[UUID, tuple[int, float, int]] = {}
        self.id_texts = IdTexts()
        for key, wf in workflows(workflow):
            wf.tasks = TrackedTasks(wf.tasks)
            if key != TOP:
                self.subprocess_keys.add(key)
            for task in wf.tasks.values():
                if fresh:
                    wf.tasks.added.add(task.id)
                elif task._state & _UNFINISHED:
                    # Restored: what is stored now is what these live tasks encode to.
                    self.live[task.id] = (key, task._state)
                    self.written[task.id] = encode_task(task, key, self.id_texts)[0]

    def touched(self) -> Iterator[Task]:
        """Tasks that may have changed since the last diff: the live ones and the ones added since."""
        for _key, wf in workflows(self.workflow):
            tasks = wf.tasks
            ids = tasks.added if isinstance(tasks, TrackedTasks) else tasks.keys()
            for tid in ids:
                task = tasks.get(tid)
                if task is not None:
                    yield task
        for tid, (key, _) in self.live.items():
            wf = self.workflow if key == TOP else self.workflow.subprocesses.get(UUID(key))
            task = wf.tasks.get(tid) if wf is not None else None
            if task is not None:
                yield task

    def diff(self) -> StateDiff:
        """Encode everything the last step touched and forget what finished."""
        result = StateDiff()
        candidates: dict[UUID, str] = {tid: key for tid, (key, _) in self.live.items()}
        current_keys = set()
        for key, wf in workflows(self.workflow):
            current_keys.add(key)
            tasks = wf.tasks
            if not isinstance(tasks, TrackedTasks):  # a subprocess created during this step
                wf.tasks = tasks = TrackedTasks(tasks)
                tasks.added.update(tasks.keys())
            for tid in tasks.added:
                candidates[tid] = key
                task = tasks.get(tid)
                if task is not None and task._parent is not None:
                    candidates[task._parent] = key
            for tid, parent in tasks.removed.items():
                self._forget(tid, candidates, result)
                if parent is not None and parent in tasks:
                    candidates[parent] = key
            tasks.reset()
        self._encode(candidates, result)
        gone = self.subprocess_keys - current_keys
        result.removed_workflows = sorted(k for k in gone if k)
        self.subprocess_keys = current_keys - {TOP}
        result.transitions.sort(key=lambda item: (item[0].last_state_change, item[0].task_spec.name))
        return result

    def _forget(self, tid: UUID, candidates: dict[UUID, str], result: StateDiff) -> None:
        candidates.pop(tid, None)
        result.removed.append(str(tid))
        self.written.pop(tid, None)
        self.quick.pop(tid, None)
        self.id_texts.pop(tid, None)
        old = self.live.pop(tid, None)
        if old is not None:
            result.gone.append((tid, old[1]))

    def _encode(self, candidates: dict[UUID, str], result: StateDiff) -> None:
        for tid, key in candidates.items():
            wf = self.workflow if key == TOP else self.workflow.subprocesses.get(UUID(key))
            task = wf.tasks.get(tid) if wf is not None else None
            old = self.live.get(tid)
            old_state = old[1] if old else None
            if task is None:
                self.live.pop(tid, None)
                self.written.pop(tid, None)
                if old_state is not None:
                    result.gone.append((tid, old_state))
                continue
            quick = (task._state, task.last_state_change, len(task._children))
            if task._state & _PREDICTED_OR_FUTURE and self.quick.get(tid) == quick:
                continue  # a predicted task that nothing touched: its row is already stored
            row, data_json = encode_task(task, key, self.id_texts)
            result.tasks[row.task_id] = task
            previous = self.written.get(tid)
            if previous != row:
                if previous is not None:
                    result.previous_internal[row.task_id] = previous.internal_data
                result.rows.append(row)
                result.blobs[row.data_hash] = data_json
            self.quick[tid] = quick
            if old_state != task._state:
                result.transitions.append((task, old_state))
            if task._state & _UNFINISHED:
                self.live[tid] = (key, task._state)
                self.written[tid] = row
            else:
                self.live.pop(tid, None)
                self.written.pop(tid, None)
                self.quick.pop(tid, None)


def encode_task(task: Task, workflow_key: str, id_texts: IdTexts | None = None) -> tuple[TaskRow, str]:
    """A task as a row plus its data as canonical JSON (stored once by hash; see ``engine.bpmn.task_json``);
    ``id_texts``: task ids already made text (a tracker keeps them across steps)."""
    texts = IdTexts() if id_texts is None else id_texts
    try:
        data = encode_data(task.data)
    except DataTooDeep as exc:  # a script built it: its step fails, nothing is written
        raise ScriptRejected(f"{task.task_spec.bpmn_name or task.task_spec.name}: {exc}", field="data") from None
    row = TaskRow(
        task_id=texts[task.id],
        workflow_key=workflow_key,
        spec_name=task.task_spec.name,
        state=task._state,
        parent_id=texts[task._parent] if task._parent is not None else None,
        children=_id_list(task._children, texts),
        triggered=bool(task.triggered),
        last_state_change=task.last_state_change,
        internal_data=data_json(task.internal_data),
        data_hash=data.sha256,
    )
    return row, data.text
