"""Signals: one-to-many, no correlation. A signal reaches every case waiting for it and starts every process
whose newest version has a signal start event of that name.

A signal thrown inside a case is caught by that case's own waiting events in the same step (SpiffWorkflow) and
written to the outbox as ``signal:NAME``; after the commit ``deliver_outbox`` broadcasts it to the other cases
here. ``ThrowSignal`` is also the command behind ``POST /api/v1/signals`` (an emergency declared from outside).
Each case catches in its own transaction (``DeliverMessage`` with the name ``signal:NAME``), like messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from engine.bpmn.catching import signal_key
from engine.domain import commands as c
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand
from engine.domain.event_commands import ThrowSignal
from engine.persistence.repositories.versions import message_start_processes
from engine.service import event_handlers
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.event_handlers import deliver_message, refuse_internal
from engine.service.handlers import check_data, check_text, start_case


@dataclass(frozen=True)
class SignalBroadcast:
    """What a broadcast reached: the cases that caught it, the cases it started."""

    name: str
    caught: list[int] = field(default_factory=list)
    started: list[int] = field(default_factory=list)


def throw_signal(cmd: ThrowSignal, ctx: HandlerContext) -> SignalBroadcast:
    """Deliver signal ``cmd.name`` to every waiting case (but the one that threw it) and start its processes."""
    deps: Deps = ctx.deps
    check_text(cmd.name, "name")
    check_text(cmd.actor, "actor")
    if cmd.name.startswith(("signal:", "timer:")):
        raise InvalidCommand(f"signal name {cmd.name!r}: give the signal's own name, without a prefix", field="name")
    refuse_internal(deps, cmd.name, cmd.actor)
    payload = check_data(cmd.payload, "payload")
    key = signal_key(cmd.name)
    with deps.uow(read_only=True) as uow:
        targets: dict[int, list[str]] = {}
        for case_id, task_id, _ in uow.store.message_waits(key):
            if case_id != cmd.source_case:
                targets.setdefault(case_id, []).append(task_id)
        starters = message_start_processes(uow.store, key)
    result = SignalBroadcast(cmd.name)
    for case_id, task_ids in sorted(targets.items()):
        try:
            ref = deliver_message(c.DeliverMessage(case_id, key, payload, cmd.actor, tuple(task_ids),
                                                   actor_kind=cmd.actor_kind), ctx)
        except ConcurrencyConflict:
            continue  # the case stopped waiting after the waits were read
        result.caught.append(ref.case_id)
    for process_id in starters:
        external_id = None if cmd.dedupe is None else f"{cmd.dedupe}/{process_id}"[:200]
        ref = start_case(c.StartCase(process_id, payload, cmd.actor, None if external_id is None else "signal",
                                     external_id, start_message=key, actor_kind=cmd.actor_kind), ctx)
        if ref.created:
            result.started.append(ref.case_id)
    return result


def deliver_outbox(cmd: c.DeliverOutbox, ctx: HandlerContext) -> str:
    """Deliver one outbox row: a thrown signal (``signal:NAME``) is broadcast here, a message as before
    (``event_handlers.deliver_outbox``). delivered, already-delivered or failed (kept for a retry)."""
    deps: Deps = ctx.deps
    with deps.uow(read_only=True) as uow:
        found = uow.store.outbox_message(cmd.outbox_id)
    if found is None or not found[1].startswith("signal:"):
        return event_handlers.deliver_outbox(cmd, ctx)
    case_id, name, payload_json, _, delivered = found
    if delivered:
        return "already-delivered"
    error = None
    try:
        throw_signal(ThrowSignal(name.removeprefix("signal:"), json.loads(payload_json), f"case:{case_id}",
                                 source_case=case_id, dedupe=f"outbox-{cmd.outbox_id}"), ctx)
    except GridcaseError as exc:
        error = f"{type(exc).__name__}: {exc.message}"
    with deps.uow() as uow:
        uow.store.mark_outbox(cmd.outbox_id, deps.clock.now(), error)
    return "failed" if error else "delivered"
