"""Handlers for what arrives from outside a person's task list: messages and timers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.bpmn.projection import StepOutcome
from engine.bpmn.runner import WorkflowRunner
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import (
    ConcurrencyConflict,
    GridcaseError,
    InvalidCommand,
    NotAllowed,
    NotFound,
    ScriptRejected,
    WorkflowTooDeep,
)
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.repositories.jobs import JobStore
from engine.persistence.repositories.versions import message_start_processes
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, check_data, check_text, finish_command, ready_ids, start_case, with_payload
from engine.service.steps import chain_events, load_runner, persist_step


def refuse_internal(deps: Deps, name: str, actor: str) -> None:
    """NotAllowed (field ``name``) for a message or signal in ``Deps.internal_messages`` not thrown by a case.

    A case's throw is delivered with actor ``case:<id>`` (no account name has a colon)."""
    if name in deps.internal_messages and not actor.startswith("case:"):
        raise NotAllowed(f"{name!r} is sent by the system only: use its command (e.g. end a campaign or an emergency)",
                         field="name")


def send_message(cmd: c.SendMessage, ctx: HandlerContext) -> list[CaseRef]:
    """Deliver into the waiting events whose correlation matches, else start the processes it starts.

    Each case is its own unit of work (one case, one transaction); a case that stopped waiting in
    the meantime is skipped, the others still get the message.
    """
    deps: Deps = ctx.deps
    check_text(cmd.name, "name")
    check_text(cmd.actor, "actor")
    refuse_internal(deps, cmd.name, cmd.actor)
    payload = check_data(cmd.payload, "payload")
    correlation = check_data(cmd.correlation, "correlation")
    with deps.uow(read_only=True) as uow:
        targets: dict[int, list[str]] = {}
        for case_id, task_id, waiting in uow.store.message_waits(cmd.name):
            if _matches(json.loads(waiting), correlation):
                targets.setdefault(case_id, []).append(task_id)
        starters = [] if targets else message_start_processes(uow.store, cmd.name)
    if targets:
        return [ref for case_id, task_ids in sorted(targets.items())
                if (ref := _deliver_if_waiting(c.DeliverMessage(case_id, cmd.name, payload, cmd.actor,
                                                                tuple(task_ids), actor_kind=cmd.actor_kind),
                                               ctx)) is not None]
    if not starters:
        raise NotFound(f"no case waits for message {cmd.name!r} with correlation {correlation} and no "
                       "process starts on it", field="name")
    return [start_case(c.StartCase(pid, payload, cmd.actor, cmd.channel, cmd.external_id,
                                   start_message=cmd.name, actor_kind=cmd.actor_kind), ctx)
            for pid in starters]


def _deliver_if_waiting(cmd: c.DeliverMessage, ctx: HandlerContext) -> CaseRef | None:
    try:
        return deliver_message(cmd, ctx)
    except ConcurrencyConflict:
        return None  # the case stopped waiting after the waits were read


def _matches(waiting: dict[str, object], wanted: dict[str, object]) -> bool:
    # Every key the event correlates on must be given, and equal: a message without correlation
    # reaches only events that wait without one.
    return all(key in wanted and wanted[key] == value for key, value in waiting.items())


def deliver_message(cmd: c.DeliverMessage, ctx: HandlerContext) -> CaseRef:
    """Deliver one message into one waiting case and advance it."""
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        case = uow.store.lock_case(cmd.case_id)
        new_version, runner, outcome = deliver_locked(uow, deps, case, cmd.name, cmd.payload, cmd.task_ids,
                                                      cmd.actor, now, cmd.actor_kind)
    finish_command(deps, ctx, case.id, new_version, runner, outcome)
    return CaseRef(case.id, new_version, ready_tasks=ready_ids(outcome))


def deliver_locked(uow: UnitOfWork, deps: Deps, case: CaseRow, name: str, payload: dict[str, Any],
                   task_ids: tuple[str, ...], actor: str, now: datetime,
                   actor_kind: str | None) -> tuple[int, WorkflowRunner, StepOutcome]:
    """Deliver ``name`` into the waiting tasks ``task_ids`` of the case locked in ``uow`` and advance it, in that
    unit of work (a command that moves its own rows with the case calls it in its own); the case's new version,
    the runner and the step's outcome, for ``finish_command`` after the commit."""
    runner = load_runner(deps, uow, case)
    runner.deliver(name, payload, now, task_ids)
    outcome = runner.advance(now)
    with_payload(outcome, payload)
    version = persist_step(uow, case, outcome, actor, now, command=ev.DELIVER_MESSAGE_COMMAND, actor_kind=actor_kind,
                           hooks=deps.step_hooks)
    return version, runner, outcome


def fire_timer(cmd: c.FireTimer, ctx: HandlerContext) -> str:
    """Fire a due timer. Returns fired, not-fired (nothing was waiting on it any more), already-fired,
    not-due or busy; never fires a timer twice.

    When the case fails on the firing (a script error after the timer, say) the timer is marked
    ``failed`` with the error and a ``timer_failed`` event, so the scheduler stops retrying it and
    other timers keep firing; the error is raised for the caller to report.
    """
    try:
        return _fire_timer(cmd, ctx)
    except (ScriptRejected, InvalidCommand, WorkflowTooDeep) as exc:
        _record_timer_failure(ctx.deps, cmd.timer_id, exc, cmd.actor, cmd.actor_kind)
        raise


def _fire_timer(cmd: c.FireTimer, ctx: HandlerContext) -> str:
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        # Lock order is case, then timer — the same as every command that syncs a case's timers.
        case = store.lock_case(store.timer_case(cmd.timer_id))
        claimed = store.timer_for_firing(cmd.timer_id)
        if claimed is None:
            return "busy"  # another scheduler holds it (PostgreSQL SKIP LOCKED)
        _, task_id, status, due_at = claimed
        if status != "pending":
            return "already-fired"
        if due_at > now:
            return "not-due"
        runner = load_runner(deps, uow, case)
        outcome = runner.advance(now)
        fired = any(t.task_id == task_id and t.fired for t in outcome.timers) or any(
            tid == task_id and count for tid, _, count in outcome.timers_ended)
        new_version = persist_step(uow, case, outcome, cmd.actor, now, command=ev.FIRE_TIMER_COMMAND,
                                   actor_kind=cmd.actor_kind, hooks=ctx.deps.step_hooks)
    finish_command(deps, ctx, case.id, new_version, runner, outcome)
    return "fired" if fired else "not-fired"


def _record_timer_failure(deps: Deps, timer_id: int, error: Exception, actor: str, actor_kind: str | None) -> None:
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        case = store.lock_case(store.timer_case(timer_id))
        task_id = store.fail_timer(timer_id, str(error), now)
        if task_id is None:
            return  # it fired or was cancelled meanwhile
        uow.repository(JobStore).open_timer_incident(timer_id, str(error), now)  # the operations page lists it
        record = StepRecord(ev.TIMER_FAILED, task_id, None, {"error": str(error)})
        events = chain_events(case, [record], actor, now, command=ev.TIMER_FAILURE_COMMAND, actor_kind=actor_kind)
        store.append_events(case.id, case.process_version_id, events)
        store.finish_case(case, workflow_json=None, status=case.status, now=now, events=events)


def deliver_outbox(cmd: c.DeliverOutbox, ctx: HandlerContext) -> str:
    """Deliver a thrown message once: delivered, already-delivered or failed (kept for a retry).

    A case's thrown message correlates on its payload; a process it starts is deduplicated by the
    outbox id, so a retry after a crash cannot start a second case.
    """
    deps: Deps = ctx.deps
    with deps.uow(read_only=True) as uow:
        found = uow.store.outbox_message(cmd.outbox_id)
    if found is None:
        raise NotFound(f"outbox message {cmd.outbox_id} not found", field="outbox_id")
    case_id, name, payload_json, correlation_json, delivered = found
    if delivered:
        return "already-delivered"
    payload = json.loads(payload_json)
    message = c.SendMessage(name, payload, f"case:{case_id}", {**payload, **json.loads(correlation_json)},
                            channel="outbox", external_id=str(cmd.outbox_id))
    error = None
    try:
        send_message(message, ctx)
    except GridcaseError as exc:
        error = f"{type(exc).__name__}: {exc.message}"
    with deps.uow() as uow:
        uow.store.mark_outbox(cmd.outbox_id, deps.clock.now(), error)
    return "failed" if error else "delivered"
