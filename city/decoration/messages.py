"""Delivering a decoration works' own messages (``decoration_removal_registered``, ``decoration_works_cancelled``)
inside the command's unit of work, so the works' row and its case move in one transaction (``DeliverMessage`` opens
its own). The messages are internal: ``SendMessage`` refuses them, only these commands send them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.bpmn.runner import WorkflowRunner
from engine.domain.errors import ConcurrencyConflict
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.event_handlers import deliver_locked
from engine.service.handlers import finish_command

REMOVAL_REGISTERED = "decoration_removal_registered"
WORKS_CANCELLED = "decoration_works_cancelled"
INTERNAL_MESSAGES = frozenset({REMOVAL_REGISTERED, WORKS_CANCELLED})


@dataclass
class Delivered:
    """A message delivered in a unit of work, for ``finish`` after the commit."""

    case_id: int
    version: int
    runner: WorkflowRunner
    outcome: Any

    def finish(self, deps: Deps, ctx: HandlerContext) -> None:
        """After the commit: the runner kept hot, the state verified in tests, thrown messages delivered."""
        finish_command(deps, ctx, self.case_id, self.version, self.runner, self.outcome)


def deliver_in(uow: UnitOfWork, deps: Deps, case_id: int, name: str, payload: dict[str, Any], actor: str,
               now: datetime, actor_kind: str | None) -> Delivered:
    """Lock the works case and deliver ``name`` into its waiting event (409 naming ``works_code`` when it waits for
    none: finished, cancelled, or the removal is registered already)."""
    store = uow.store
    case = store.lock_case(case_id)
    waits = tuple(task for waiting, task, _ in store.message_waits(name) if waiting == case_id)
    if not waits:
        raise ConcurrencyConflict(f"the works' case does not wait for {name} now", field="works_code")
    version, runner, outcome = deliver_locked(uow, deps, case, name, payload, waits, actor, now, actor_kind)
    return Delivered(case.id, version, runner, outcome)
