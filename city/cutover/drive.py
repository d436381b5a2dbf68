"""Driving one open legacy case to its step, inside the caller's unit of work.

The case starts on the deployed lifecycle at the legacy report time and each earlier step's task is completed at
its legacy time with the data that step would have produced (verified, filed, dispatched to the legacy department,
disposed, checked), by the actor ``import`` (kind ``system``): the audit log holds the legacy times as the steps'
times, every step a command of its own, as if the centre had worked the case in gridcase. The step it waits at
then carries the legacy deadline (the disposal deadline through the disposal clock, any other step's due time on
its task) and, when the row names one, its assignee's claim. The audit replay re-runs these steps as it re-runs any.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from city.cutover.rows import STEP_TIMES, OpenCase
from engine.bpmn.runner import WorkflowRunner
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import InvalidCommand
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.repositories.versions import VersionRow
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps
from engine.service.handlers import with_payload
from engine.service.notification_hook import NotificationHook
from engine.service.step_hooks import run_step_hooks
from engine.service.steps import chain_events, persist_step
from engine.service.supervision import may_work

LIFECYCLE = "case_lifecycle"
LEGACY_CHANNEL = "legacy"  # cases.channel of an imported case; external_id is its legacy number
ACTOR, ACTOR_KIND = "import", "system"
NOTE = "导入自原系统 (imported from the legacy system)"
# The task data each step's completion gives, by step index (the step it completes is the one before).
FILED = {"filing": {"decision": "file", "note": NOTE}}
DISPOSED = {"disposal": {"outcome": "disposed", "result": NOTE}}
CHECKED = {"check": {"passed": True, "note": NOTE}}


@dataclass
class Drive:
    """One case being driven: its row, runner, case row, ready tasks and newest data."""

    row: OpenCase
    runner: WorkflowRunner
    case: CaseRow
    ready: dict[str, str] = field(default_factory=dict)  # BPMN id → task id
    groups: dict[str, str | None] = field(default_factory=dict)  # task id → candidate group
    outbox: list[int] = field(default_factory=list)


def drive_case(uow: UnitOfWork, deps: Deps, version: VersionRow, row: OpenCase) -> Drive:
    """Start ``row``'s case and bring it to its step in ``uow``. A step the lifecycle refuses raises as the
    lifecycle raises it (the caller's batch is then not written)."""
    store = uow.store
    start_time = row.times["reported_at"]
    data = {"report": row.report}
    case = store.insert_case(process_id=LIFECYCLE, version_id=version.id, actor=ACTOR, channel=LEGACY_CHANNEL,
                             external_id=row.legacy_no, now=start_time)
    runner = WorkflowRunner.start(deps.spec(uow, version.id), data, depth_limit=deps.depth_limit,
                                  helpers=deps.script_helpers, limits=deps.script_limits)
    outcome = runner.advance(start_time)
    with_payload(outcome, data)
    started = StepRecord(ev.CASE_STARTED, data={"process_id": LIFECYCLE, "version": version.number, "data": data,
                                                "channel": LEGACY_CHANNEL, "external_id": row.legacy_no,
                                                "start_message": None, "imported": row.history})
    drive = Drive(row, runner, case)
    _persist(uow, deps, drive, outcome, start_time, ev.START_CASE_COMMAND, [started], last=row.index == 0)
    for index in range(1, row.index + 1):
        _complete_step(uow, deps, drive, index)
    if row.assignee is not None:
        _claim(uow, deps, drive, row.times[STEP_TIMES[row.index]])
    return drive


def _step_data(drive: Drive, index: int) -> tuple[str, dict[str, Any]] | None:
    """(BPMN id, data) of the task that ends the step before ``index``; None when the lifecycle skipped it."""
    if index == 1:
        if "verify_report" in drive.ready:
            return "verify_report", {"verification": {"found": True, "note": NOTE}}
        if "review_detection" in drive.ready:
            return "review_detection", {"detection_review": {"decision": "confirm", "note": NOTE}}
        return None  # a collector's own report (patrol, census): filed without verification
    if index == 2:
        return "file_or_void", FILED
    if index == 3:
        return "confirm_dispatch", _dispatch(drive.row)
    return ("dispose_problem", DISPOSED) if index == 4 else ("check_on_site", CHECKED)


def _dispatch(row: OpenCase) -> dict[str, Any]:
    """The dispatch to the legacy department; with a legacy deadline, the time limit is that deadline in natural
    hours from the dispatch (the rules' limit replaced in the submitted data), so the disposal clock's deadline is
    the legacy one, not recomputed, and the audit replay computes the same."""
    choice: dict[str, Any] = {} if row.department is None else {"department": row.department, "reason": NOTE}
    if row.due_at is None:
        return {"dispatch": choice}
    hours = (row.due_at - row.times["dispatched_at"]).total_seconds() / 3600
    return {"dispatch": choice, "limit_amount": hours, "limit_unit": "natural_hours"}


def _complete_step(uow: UnitOfWork, deps: Deps, drive: Drive, index: int) -> None:
    found = _step_data(drive, index)
    if found is None:
        return
    bpmn_id, task_data = found
    task_id = drive.ready.get(bpmn_id)
    if task_id is None:
        raise ValueError(f"the lifecycle does not wait at {bpmn_id} (ready: {', '.join(drive.ready) or 'none'})")
    moment = drive.row.times[STEP_TIMES[index]]
    drive.case = uow.store.lock_case(drive.case.id)
    drive.runner.complete(task_id, task_data, moment)
    outcome = drive.runner.advance(moment)
    _persist(uow, deps, drive, outcome, moment, ev.COMPLETE_TASK_COMMAND, None, last=index == drive.row.index)


def _persist(uow: UnitOfWork, deps: Deps, drive: Drive, outcome: Any, moment: datetime, command: str,
             first: list[StepRecord] | None, *, last: bool) -> None:
    """Write one step; on the last one the waiting task's due time is the legacy step deadline."""
    for view in outcome.human_tasks:
        if view.state == "ready":
            drive.ready[view.bpmn_id] = view.task_id
            drive.groups[view.task_id] = view.candidate_group
        else:
            drive.ready = {k: v for k, v in drive.ready.items() if v != view.task_id}
    due = drive.row.step_due_at
    if last and due is not None and drive.row.index != 3:  # 处置: the disposal clock holds the legacy deadline
        outcome.human_tasks = [replace(v, due_at=due, warn_at=None) if v.state == "ready" else v
                               for v in outcome.human_tasks]
    # The steps on the way were done long ago: nobody is told of their tasks (no inbox flood on the cut-over day);
    # the waiting step's group is, as for any case.
    hooks = deps.step_hooks if last else [h for h in deps.step_hooks if not isinstance(h, NotificationHook)]
    persist_step(uow, drive.case, outcome, ACTOR, moment, first, command=command, actor_kind=ACTOR_KIND,
                 hooks=hooks)
    drive.outbox.extend(outcome.outbox_ids)


def _claim(uow: UnitOfWork, deps: Deps, drive: Drive, moment: datetime) -> None:
    """The row's assignee holds the waiting task, claimed at the step's legacy time by ``import`` for them (the
    event's data names the assignee: they did not claim it in gridcase); they must be an enabled account working
    the task's group, as a claim or 改派 requires."""
    assignee = drive.row.assignee
    assert assignee is not None
    (task_id,) = drive.ready.values() if len(drive.ready) == 1 else (None,)
    if task_id is None:
        raise ValueError(f"assignee: the case waits at {len(drive.ready)} tasks, not one")
    group = drive.groups.get(task_id)
    if uow.accounts.user_with_epoch(assignee) is None:
        raise InvalidCommand(f"{assignee} is no enabled user (unknown or disabled)", field="assignee")
    if not may_work(uow, assignee, group):
        raise InvalidCommand(f"{assignee} does not work the group {group} of the waiting task", field="assignee")
    store = uow.store
    case = store.lock_case(drive.case.id)
    store.set_assignee(task_id, assignee, moment)
    record = StepRecord(ev.TASK_CLAIMED, task_id, data={"assignee": assignee})
    events = chain_events(case, [record], ACTOR, moment, command=ev.CLAIM_TASK_COMMAND, actor_kind=ACTOR_KIND)
    store.append_events(case.id, case.process_version_id, events)
    run_step_hooks(uow, deps.step_hooks, case.id, [record], ACTOR, moment)
    store.finish_case(case, workflow_json=None, status=case.status, now=moment, events=events)


def follow_ups(drives: list[Drive]) -> list[c.Command]:
    """The outbox deliveries the driven steps queued (sent after the batch commits, as every handler's are)."""
    return [c.DeliverOutbox(outbox_id) for d in drives for outbox_id in d.outbox]
