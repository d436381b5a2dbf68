"""Shared steps of the handlers: load a case's runner, persist a step, chain audit events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from engine.bpmn.environment import ENVIRONMENT_ANSWERED, begin_step, take_step
from engine.bpmn.projection import StepOutcome
from engine.bpmn.restore import full_state
from engine.bpmn.runner import WorkflowRunner
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow, EventRow
from engine.persistence.repositories.jobs import JobStore
from engine.persistence.repositories.summaries import write_summary
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps
from engine.service.observe import note_events, request_id
from engine.service.step_hooks import StepHook, StepWritten


def load_runner(deps: Deps, uow: UnitOfWork, case: CaseRow) -> WorkflowRunner:
    """The case's workflow: the hot copy if its version matches, else restored from its rows.

    A step begins here: the environment helpers' answers are recorded from now until ``persist_step``."""
    begin_step(uow)
    runner: WorkflowRunner | None = deps.workflows.take(case.id, case.version)
    if runner is not None:
        return runner
    store = uow.store
    loaded = deps.spec(uow, case.process_version_id)
    return WorkflowRunner.restore(loaded, store.workflow_json(case.id), store.task_rows(case.id),
                                  depth_limit=deps.depth_limit, helpers=deps.script_helpers, limits=deps.script_limits)


def check_time(case: CaseRow, now: datetime) -> None:
    """Refuse a step dated before the case's last one: the audit log's time never goes backwards."""
    if case.updated_at is not None and now < case.updated_at:
        raise InvalidCommand(
            f"case {case.id} last changed at {case.updated_at.isoformat()}; a command dated {now.isoformat()}"
            " would go back in time (is this clock behind?)", field="occurred_at")


def chain_events(case: CaseRow, records: list[StepRecord], actor: str, now: datetime, *, command: str,
                 actor_kind: str | None = None) -> list[EventRow]:
    """Number the records after the case's last event and hash-chain them; the first carries ``command``, each the
    id of the request (or timer firing, or CLI run) being served.

    Refuses (``check_time``) a moment earlier than the case's last step.
    """
    check_time(case, now)
    rows = []
    seq, prev = case.last_event_seq, case.last_event_hash
    kind = ev.actor_kind_of(actor, actor_kind)
    rid = request_id.get()  # the same id the JSON log lines of this request carry
    for index, record in enumerate(records):
        seq += 1
        data = ev.canonical_json(record.data)
        step_command = command if index == 0 else None
        digest = ev.event_hash(prev, case_id=case.id, seq=seq, occurred_at=now, actor=actor,
                               event_type=record.event_type, task_id=record.task_id, bpmn_id=record.bpmn_id,
                               data_json=data, process_version_id=case.process_version_id, actor_kind=kind,
                               command=step_command, request_id=rid)
        rows.append(EventRow(seq, now, actor, record.event_type, record.task_id, record.bpmn_id, data, prev,
                             digest, kind, step_command, rid))
        prev = digest
    note_events(case.id, rows)  # the command log names the events each request wrote (engine.service.observe)
    return rows


def step_records(outcome: StepOutcome, was_completed: bool, first: list[StepRecord] | None = None) -> list[StepRecord]:
    """The audit records of one step, in order (replay builds them with this same function)."""
    records = [*(first or []), *outcome.records]
    if outcome.completed and not was_completed:
        records.append(StepRecord(ev.CASE_COMPLETED))
    return records


def persist_step(uow: UnitOfWork, case: CaseRow, outcome: StepOutcome, actor: str, now: datetime,
                 first: list[StepRecord] | None = None, *, command: str, actor_kind: str | None = None,
                 claimed: str | None = None, hooks: Sequence[StepHook] = ()) -> int:
    """Write everything the step changed in the open transaction; returns the case's new version.

    Each of ``hooks`` (``Deps.step_hooks``) then writes what it keeps of the step (the city's case facts, the
    notifications) in the same transaction: with the newest data when the step changed it, else ``{}``.

    ``claimed``: a task the actor claimed just before this step, in the same transaction. Its
    ``task_claimed`` event is a step of its own (a claim command) in the log, exactly as a separate claim.
    """
    store = uow.store
    diff = outcome.diff
    status = "completed" if outcome.completed else "running"
    records = step_records(outcome, case.status == "completed", first)
    answers = take_step()
    if answers:  # what locate/deadline/elapsed said, so a replay answers the same after the city's data changed
        records.append(StepRecord(ENVIRONMENT_ANSWERED, data={"answers": answers}))
    claims = [] if claimed is None else chain_events(case, [StepRecord(ev.TASK_CLAIMED, claimed)], actor, now,
                                                     command=ev.CLAIM_TASK_COMMAND, actor_kind=actor_kind)
    chained = replace(case, last_event_seq=claims[-1].seq, last_event_hash=claims[-1].hash) if claims else case
    events = claims + chain_events(chained, records, actor, now, command=command, actor_kind=actor_kind)
    views = outcome.human_tasks
    new = case.last_event_seq == 0  # a case's first step: nothing of it is stored yet, so nothing to remove or end
    with uow.batch():
        if claimed is not None:
            store.set_assignee(claimed, actor, now)
        store.write_tasks(case.id, diff.rows, diff.blobs, () if new else diff.removed,
                          () if new else diff.removed_workflows)
        store.upsert_ready_tasks(case.id, case.process_version_id, [v for v in views if v.state == "ready"], now)
        store.end_tasks([(v.task_id, v.state) for v in views if v.state != "ready" and not new], actor, now)
        store.sync_timers(case.id, outcome.timers, outcome.timers_ended, now)
        store.sync_message_waits(case.id, outcome.message_waits, () if new else outcome.message_waits_ended)
        if not new:
            store.cancel_gone(outcome.gone_tasks, now)
        store.append_events(case.id, case.process_version_id, events)
    if outcome.jobs or outcome.jobs_ended:  # external-worker jobs opened or ended (engine.service.jobs)
        jobs = uow.repository(JobStore)
        jobs.end_jobs(outcome.jobs_ended, now)
        jobs.open_jobs(case.id, outcome.jobs, now)
    if outcome.summary is not None:  # a case's first step inserts its summary (it was inserted at ``updated_at``)
        write_summary(store, case.id, outcome.summary, now,
                      new_case_started_at=case.updated_at if case.last_event_seq == 0 else None)
    if outcome.case_data is not None or records:
        # a step that only moved tasks (a timer making a task ready) still tells whom it concerns
        written = StepWritten(case.id, outcome.case_data or {}, records, actor, now, outcome.milestones)
        for hook in hooks:
            hook(uow, written)
    outcome.outbox_ids = store.add_outbox(case.id, outcome.outgoing, now)
    return store.finish_case(case, workflow_json=outcome.workflow_json, status=status, now=now, events=events)


def verify_stored_state(deps: Deps, case_id: int, runner: WorkflowRunner) -> None:
    """Test aid: the stored rows must restore to exactly the live workflow (serializer round trip)."""
    with deps.uow() as uow:
        store = uow.store
        case = store.lock_case(case_id)
        loaded = deps.spec(uow, case.process_version_id)
        restored = WorkflowRunner.restore(loaded, store.workflow_json(case_id), store.task_rows(case_id),
                                          helpers=deps.script_helpers, limits=deps.script_limits)
    live, stored = full_state(runner.workflow), full_state(restored.workflow)
    if live != stored:
        missing = set(live["tasks"]) ^ set(stored["tasks"])
        changed = [k for k in live["tasks"] if k in stored["tasks"] and live["tasks"][k] != stored["tasks"][k]]
        raise ConcurrencyConflict(
            f"stored state of case {case_id} differs from the live workflow: meta equal="
            f"{live['meta'] == stored['meta']}, tasks only on one side={sorted(missing)[:5]}, "
            f"tasks that differ={[(k, live['tasks'][k], stored['tasks'][k]) for k in changed[:2]]}"
        )
