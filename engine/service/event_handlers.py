"""Handlers for what arrives from outside a person's task list: messages and timers."""

from __future__ import annotations

import json

from engine.domain import commands as c
from engine.domain.errors import NotFound
from engine.persistence.versions import message_start_processes
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, check_data, check_text, finish_command, ready_ids, start_case, with_payload
from engine.service.steps import load_runner, persist_step


def send_message(cmd: c.SendMessage, ctx: HandlerContext) -> list[CaseRef]:
    """Deliver into every waiting case whose correlation matches, else start the process it starts.

    Each delivery is its own unit of work (one case, one transaction).
    """
    deps: Deps = ctx.deps
    check_text(cmd.name, "name")
    check_text(cmd.actor, "actor")
    check_data(cmd.payload, "payload")
    with deps.uow() as uow:
        store = uow.store
        waits = store.message_waits(cmd.name)
        starters = [] if waits else message_start_processes(uow.store, cmd.name)
    targets = sorted({case_id for case_id, corr in waits if _matches(json.loads(corr), cmd.correlation)})
    if targets:
        return [deliver_message(c.DeliverMessage(case_id, cmd.name, cmd.payload, cmd.actor), ctx)
                for case_id in targets]
    if not starters:
        raise NotFound(f"no case waits for message {cmd.name!r} with correlation {cmd.correlation} and no "
                       "process starts on it", field="name")
    return [start_case(c.StartCase(pid, dict(cmd.payload), cmd.actor, cmd.channel, cmd.external_id,
                                   start_message=cmd.name), ctx)
            for pid in starters]


def _matches(waiting: dict[str, object], wanted: dict[str, object]) -> bool:
    # Every key the case correlates on must be given, and equal: a message without correlation
    # reaches only cases that wait without one.
    return all(key in wanted and wanted[key] == value for key, value in waiting.items())


def deliver_message(cmd: c.DeliverMessage, ctx: HandlerContext) -> CaseRef:
    """Deliver one message into one waiting case and advance it."""
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        case = store.lock_case(cmd.case_id)
        runner = load_runner(deps, uow, case)
        runner.deliver(cmd.name, cmd.payload, {}, now)
        outcome = runner.advance(now)
        with_payload(outcome, cmd.payload)
        new_version = persist_step(uow, case, outcome, cmd.actor, now)
        uow.commit()
    finish_command(deps, ctx, case.id, new_version, runner, outcome.outgoing)
    return CaseRef(case.id, new_version, ready_tasks=ready_ids(outcome))


def fire_timer(cmd: c.FireTimer, ctx: HandlerContext) -> str:
    """Fire a due timer; returns fired, already-fired, not-due or busy. Never fires a timer twice."""
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
        new_version = persist_step(uow, case, outcome, cmd.actor, now)
        uow.commit()
    finish_command(deps, ctx, case.id, new_version, runner, outcome.outgoing)
    return "fired" if fired else "not-fired"
