"""Command handlers: one command, one unit of work, one case, one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.bpmn.environment import begin_step
from engine.bpmn.projection import human_task_view
from engine.bpmn.runner import WorkflowRunner
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand, NotFound
from engine.domain.input_limits import text_problem, value_problem
from engine.domain.views import StepRecord
from engine.persistence.db import is_unique_violation
from engine.persistence.repositories.cases import CaseRow, CaseStore
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.repositories.versions import latest_version
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.process_starts import check_hand_start
from engine.service.step_hooks import StepHook, run_step_hooks
from engine.service.steps import chain_events, load_runner, persist_step, verify_stored_state
from engine.service.task_forms import case_defaults, check_form, known_form

# A starter's own rows, written in the start's transaction once the case's first step is (uow, case id, case number).
Started = Callable[[UnitOfWork, int, "str | None"], None]


@dataclass(frozen=True)
class CaseRef:
    """Which case a command touched, at which version; ``created`` is False for a repeated report."""

    case_id: int
    version: int
    created: bool = True
    ready_tasks: tuple[str, ...] = ()  # human tasks that became ready in this step
    case_no: str | None = None  # set by starting a case: the number its summary gave it
    occurred_at: datetime | None = None  # set by completing a task: when the step happened


def with_payload(outcome: Any, payload: dict[str, Any]) -> None:
    """Put the delivered message's payload into the step's ``message_received`` records."""
    outcome.records = [replace(r, data={**r.data, "payload": payload}) if r.event_type == ev.MESSAGE_RECEIVED
                       else r for r in outcome.records]


def ready_ids(outcome: Any) -> tuple[str, ...]:
    """Ids of the human tasks a step made ready."""
    return tuple(v.task_id for v in outcome.human_tasks if v.state == "ready")


TEXT_LIMITS = {"actor": 100, "channel": 50, "external_id": 200, "process_id": 200, "name": 255}


def check_text(value: str | None, field: str) -> None:
    """Refuse text that is not a string or longer than its column (named by ``field``)."""
    if value is None:
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} must be a non-empty string", field=field)
    if len(value) > TEXT_LIMITS[field]:
        raise InvalidCommand(f"{field} is longer than {TEXT_LIMITS[field]} characters", field=field)
    problem = text_problem(value)
    if problem is not None:  # PostgreSQL refuses NUL: a 500 when the statement runs, unless refused here
        raise InvalidCommand(f"{field} {problem}", field=field)


def check_data(data: Any, field: str = "data") -> dict[str, Any]:
    """A private deep copy of JSON object ``data`` (string keys); InvalidCommand naming ``field`` otherwise.

    The copy matters: the workflow and the audit record must not share objects with the caller.
    """
    if not isinstance(data, dict):
        raise InvalidCommand(f"{field} must be an object", field=field)
    # NUL, lone surrogates, NaN, 64-bit overflow, absurd nesting: named inside the document as forms and the
    # models' reject() name its fields (``verification.note``), so a page shows the message next to the field
    problem = value_problem(data)
    if problem is not None:
        raise InvalidCommand(f"{field}: {problem[0]} {problem[1]}", field=problem[0])
    try:
        copied: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidCommand(f"{field} is not JSON data: {exc}", field=field) from None
    return copied


def finish_command(deps: Deps, ctx: HandlerContext, case_id: int, version: int, runner: WorkflowRunner,
                   outcome: Any) -> None:
    """After commit: keep the runner hot, check the stored state in tests, deliver thrown messages."""
    deps.workflows.put(case_id, version, runner)
    if deps.verify_state:
        verify_stored_state(deps, case_id, runner)
    ctx.follow_ups.extend(c.DeliverOutbox(outbox_id) for outbox_id in outcome.outbox_ids)


def start_case(cmd: c.StartCase, ctx: HandlerContext, check: Callable[[CaseStore], None] | None = None, *,
               then: Started | None = None) -> CaseRef:
    """Start a process on its newest version; a repeated (channel, external id) returns the first case.

    ``check`` runs first in the same transaction (a caller's checks against the database); ``then(uow, case_id,
    case_no)`` last, after the case's first step was written, for the caller's own rows (not on a repeat).
    """
    if (cmd.channel is None) != (cmd.external_id is None):
        raise InvalidCommand("channel and external_id go together", field="external_id")
    for field in ("actor", "channel", "external_id", "process_id"):
        check_text(getattr(cmd, field), field)
    cmd = replace(cmd, data=check_data(cmd.data))
    try:
        return _start_case(cmd, ctx, check, then)
    except GridcaseError:
        raise
    except Exception as exc:
        if cmd.channel is None or not is_unique_violation(exc):
            raise
        return _start_case(cmd, ctx, check, then)  # lost a race for the same report: now it is found


def _start_case(cmd: c.StartCase, ctx: HandlerContext, check: Callable[[CaseStore], None] | None,
                then: Started | None) -> CaseRef:
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        if check is not None:
            check(store)
        if cmd.channel is not None and cmd.external_id is not None:
            existing = store.case_by_external_id(cmd.channel, cmd.external_id)
            if existing is not None:
                return CaseRef(existing, store.lock_case(existing).version, created=False,
                               case_no=live_case_no(store, existing))
        version = latest_version(uow.store, cmd.process_id)
        if version is None:
            raise NotFound(f"no deployed process {cmd.process_id!r}", field="process_id")
        form = check_hand_start(deps, uow, cmd.actor, version, check_starter=cmd.check_starter,
                                check_form=cmd.check_form) if cmd.check_starter or cmd.check_form else None
        case = store.insert_case(process_id=cmd.process_id, version_id=version.id, actor=cmd.actor,
                                 channel=cmd.channel, external_id=cmd.external_id, now=now)
        cmd = replace(cmd, data=case_defaults(store, form, cmd.data))  # defaults read from a case it names
        check_form(store, form, cmd.data, case.id)  # the start form, once the case exists (photos cite it)
        runner, outcome, new_version = start_in(uow, deps, case, version.number, cmd, now, hooks=ctx.deps.step_hooks)
        case_no = live_case_no(store, case.id)
        if then is not None:
            then(uow, case.id, case_no)
    finish_command(deps, ctx, case.id, new_version, runner, outcome)
    return CaseRef(case.id, new_version, ready_tasks=ready_ids(outcome), case_no=case_no)


def start_in(uow: UnitOfWork, deps: Deps, case: CaseRow, version_number: int, cmd: c.StartCase, now: datetime, *,
             hooks: Sequence[StepHook]) -> tuple[WorkflowRunner, Any, int]:
    """Run the first step of the inserted ``case`` (its version's spec, ``cmd``'s checked data) and persist it in
    ``uow``: the runner, the step's outcome and the case's new version. ``StartCase`` and the bulk starts
    (``engine.service.bulk_starts``) share it."""
    begin_step(uow)  # the environment helpers' answers are kept with the step (engine.bpmn.environment)
    runner = WorkflowRunner.start(deps.spec(uow, case.process_version_id), cmd.data, depth_limit=deps.depth_limit,
                                  helpers=deps.script_helpers, limits=deps.script_limits)
    if cmd.start_message is not None:
        runner.deliver(cmd.start_message, cmd.data, now)
    outcome = runner.advance(now)
    with_payload(outcome, cmd.data)
    started = StepRecord(ev.CASE_STARTED, data={"process_id": cmd.process_id, "version": version_number,
                                                "data": cmd.data, "channel": cmd.channel,
                                                "external_id": cmd.external_id, "start_message": cmd.start_message})
    new_version = persist_step(uow, case, outcome, cmd.actor, now, first=[started], command=ev.START_CASE_COMMAND,
                               actor_kind=cmd.actor_kind, hooks=hooks)
    return runner, outcome, new_version


def _lock_ready_task(store: CaseStore, task_id: str, expected_version: int | None) -> tuple[CaseRow, str | None]:
    """Lock the task's case; the task must still be ready. Returns the case and the task's assignee."""
    case, state, assignee = store.lock_task_case(task_id, expected_version)
    if state != "ready":
        raise ConcurrencyConflict(f"task {task_id} is already {state}")
    return case, assignee


def complete_human_task(cmd: c.CompleteHumanTask, ctx: HandlerContext) -> CaseRef:
    """Complete a ready user/manual task with data its form accepts and advance the case.

    With ``claim_if_free`` an unassigned task is claimed first, in the same transaction; a refused
    completion (form, process script, conflict) writes nothing, so no claim is left behind.
    """
    deps: Deps = ctx.deps
    check_text(cmd.actor, "actor")
    data = check_data(cmd.data)
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        case, assignee = _lock_ready_task(store, cmd.task_id, cmd.expected_version)
        if assignee is not None and assignee != cmd.actor:
            raise ConcurrencyConflict(f"task {cmd.task_id} is claimed by {assignee}")
        runner = load_runner(deps, uow, case)
        view = human_task_view(runner.human_task(cmd.task_id), "ready")
        try:
            check_form(store, known_form(deps.forms, store, case.process_version_id, view.form), data, case.id)
        except GridcaseError:
            deps.workflows.put(case.id, case.version, runner)  # untouched: keep it hot
            raise
        runner.complete(cmd.task_id, data, now)
        outcome = runner.advance(now)
        claimed = cmd.task_id if cmd.claim_if_free and assignee is None else None
        new_version = persist_step(uow, case, outcome, cmd.actor, now, command=ev.COMPLETE_TASK_COMMAND,
                                   actor_kind=cmd.actor_kind, claimed=claimed, hooks=ctx.deps.step_hooks)
    finish_command(deps, ctx, case.id, new_version, runner, outcome)
    return CaseRef(case.id, new_version, ready_tasks=ready_ids(outcome), occurred_at=now)


def _change_claim(cmd: c.ClaimTask | c.UnclaimTask, ctx: HandlerContext, claim: bool) -> CaseRef:
    deps: Deps = ctx.deps
    check_text(cmd.actor, "actor")
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        case, assignee = _lock_ready_task(store, cmd.task_id, cmd.expected_version)
        if claim and assignee is not None:
            raise ConcurrencyConflict(f"task {cmd.task_id} is already claimed by {assignee}")
        if not claim and assignee != cmd.actor:
            raise ConcurrencyConflict(f"task {cmd.task_id} is not claimed by {cmd.actor}")
        store.set_assignee(cmd.task_id, cmd.actor if claim else None, now if claim else None)
        kind = ev.TASK_CLAIMED if claim else ev.TASK_UNCLAIMED
        command = ev.CLAIM_TASK_COMMAND if claim else ev.UNCLAIM_TASK_COMMAND
        record = StepRecord(kind, cmd.task_id)
        events = chain_events(case, [record], cmd.actor, now, command=command, actor_kind=cmd.actor_kind)
        store.append_events(case.id, case.process_version_id, events)
        run_step_hooks(uow, deps.step_hooks, case.id, [record], cmd.actor, now)  # its group's lists see it taken
        new_version = store.finish_case(case, workflow_json=None, status=case.status, now=now, events=events)
    runner = deps.workflows.take(case.id, case.version)  # a claim changes no workflow state
    if runner is not None:
        deps.workflows.put(case.id, new_version, runner)
    return CaseRef(case.id, new_version)


def claim_task(cmd: c.ClaimTask, ctx: HandlerContext) -> CaseRef:
    """Claim a ready task for the actor; a task claimed by someone else is a conflict."""
    return _change_claim(cmd, ctx, claim=True)


def unclaim_task(cmd: c.UnclaimTask, ctx: HandlerContext) -> CaseRef:
    """Give a claimed task back to its candidate group."""
    return _change_claim(cmd, ctx, claim=False)
