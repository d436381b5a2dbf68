"""ClockTasks: the step clock's command handler — one case's warnings and overdues, each recorded once.

Every warning and overdue is a step of its own in the case's log (``clock_tasks`` on each event), so replay re-reads
it as the live command wrote it, like a job's failure: no workflow state changes. The notification part turns
``task_warned``/``task_overdue`` into messages (``notification_hook.tell``, in the same transaction); an overdue
task becomes visible to its ``escalate_to`` group (engine.persistence.read.tasks: the 超期督办 list).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from engine.domain import events as ev
from engine.domain.clock_commands import ClockTasks
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import EventRow
from engine.persistence.repositories.step_clock import ClockedTask, ClockStore
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.jobs import keep_hot
from engine.service.step_hooks import run_step_hooks
from engine.service.steps import chain_events


@dataclass(frozen=True)
class TasksClocked:
    """What one ClockTasks recorded: the tasks warned and the tasks found overdue (ids)."""

    case_id: int
    warned: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def clock_records(task: ClockedTask) -> list[StepRecord]:
    """The events one task's clock writes now: its warning (unless overdue already passed it by), its overdue."""
    records = []
    if task.warn:
        records.append(StepRecord(ev.TASK_WARNED, task.task_id, task.bpmn_id,
                                  {"task": task.task_id, "step": task.step, "warn_at": _iso(task.warn_at),
                                   "due_at": _iso(task.due_at)}))
    if task.overdue:
        records.append(StepRecord(ev.TASK_OVERDUE, task.task_id, task.bpmn_id,
                                  {"task": task.task_id, "step": task.step, "due_at": _iso(task.due_at),
                                   "escalate_to": task.escalate_to}))
    return records


def clock_tasks(cmd: ClockTasks, ctx: HandlerContext) -> TasksClocked:
    """Record what the case's ready tasks have passed since the last sweep, under the case's lock (a task completed
    meanwhile is skipped, one recorded already is not recorded again)."""
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        case = uow.store.lock_case(cmd.case_id)
        clocks = uow.repository(ClockStore)
        pending = clocks.pending(case.id, now)
        if not pending:
            return TasksClocked(case.id)
        events: list[EventRow] = []
        head = case
        records = [r for task in pending for r in clock_records(task)]
        for record in records:
            chained = chain_events(head, [record], cmd.actor, now,
                                   command=ev.CLOCK_TASKS_COMMAND, actor_kind=cmd.actor_kind)
            events += chained
            head = replace(head, last_event_seq=chained[-1].seq, last_event_hash=chained[-1].hash)
        warned = tuple(t.task_id for t in pending if t.warn)
        overdue = tuple(t.task_id for t in pending if t.overdue)
        clocks.record(warned, overdue, now)
        uow.store.append_events(case.id, case.process_version_id, events)
        run_step_hooks(uow, deps.step_hooks, case.id, records, cmd.actor, now)  # their notifications, here
        version = uow.store.finish_case(case, workflow_json=None, status=case.status, now=now, events=events)
    keep_hot(deps, case, version)
    return TasksClocked(case.id, warned, overdue)
