"""Handlers for what arrives from outside a person's task list: messages and timers."""

from __future__ import annotations

import json

from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import NotFound
from engine.domain.views import StepRecord
from engine.persistence.versions import message_start_processes
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, check_data, finish_command, ready_ids, start_case
from engine.service.steps import load_runner, persist_step


def send_message(cmd: c.SendMessage, ctx: HandlerContext) -> list[CaseRef]:
    """Deliver into every waiting case whose correlation matches, else start the process it starts.

    Each delivery is its own unit of work (one case, one transaction).
    """
    deps: Deps = ctx.deps
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
    return [start_case(c.StartCase(pid, dict(cmd.payload), cmd.actor, cmd.channel, cmd.external_id), ctx)
            for pid in starters]


def _matches(waiting: dict[str, object], wanted: dict[str, object]) -> bool:
    return all(waiting.get(key) == value for key, value in wanted.items())


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
        received = StepRecord(ev.MESSAGE_RECEIVED, data={"message": cmd.name, "payload": cmd.payload})
        new_version = persist_step(uow, case, outcome, cmd.actor, now, first=[received])
        uow.commit()
    finish_command(deps, ctx, case.id, new_version, runner, outcome.outgoing)
    return CaseRef(case.id, new_version, ready_tasks=ready_ids(outcome))


def fire_timer(cmd: c.FireTimer, ctx: HandlerContext) -> str:
    """Fire a due timer; returns fired, already-fired, not-due or busy. Never fires a timer twice."""
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        claimed = store.timer_for_firing(cmd.timer_id)
        if claimed is None:
            return "busy"  # another scheduler holds it (PostgreSQL SKIP LOCKED)
        case_id, task_id, status, due_at = claimed
        if status != "pending":
            return "already-fired"
        if due_at > now:
            return "not-due"
        case = store.lock_case(case_id)
        runner = load_runner(deps, uow, case)
        outcome = runner.advance(now)
        fired = {tid for tid, how in outcome.timers_ended if how == "fired"}
        if task_id not in fired:
            # A cycle timer keeps waiting with its next due time: count this firing here.
            outcome.records.append(StepRecord(ev.TIMER_FIRED, task_id, None, {"due_at": due_at.isoformat()}))
            store.count_timer_fire(cmd.timer_id, now)
        new_version = persist_step(uow, case, outcome, cmd.actor, now)
        uow.commit()
    finish_command(deps, ctx, case.id, new_version, runner, outcome.outgoing)
    return "fired"
