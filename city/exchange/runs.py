"""The upper-level exchange's timed runs: every ``PERIOD_SECONDS`` the scheduler (``gridcase scheduler``, through
``city.connectors.schedule``) sends RunDueExchanges, which queues, for each active upper_level connector whose
``every_minutes`` passed since its last export, its export and then its inbox — each its own command."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from city.exchange.commands import ReadExchangeInbox, RunDueExchanges, RunExchangeExport
from city.exchange.config import config_problems
from city.persistence.read import exchange as reads
from engine.service.bus import HandlerContext

PERIOD_SECONDS = 60.0
SCHEDULE: tuple[tuple[float, Any], ...] = ((PERIOD_SECONDS, RunDueExchanges),)


def run_due(cmd: RunDueExchanges, ctx: HandlerContext) -> dict[str, Any]:
    """The handler of RunDueExchanges: ``{due: [codes]}``; a connector whose stored configuration no longer checks
    is left out (``skipped``) rather than stopping the others."""
    now = ctx.deps.clock.now()
    due, skipped = [], []
    with ctx.deps.uow(read_only=True) as uow:
        for found in reads.active_connectors(uow.store):
            config = found["config"]
            if config_problems(config):
                skipped.append(found["code"])
                continue
            last = reads.last_export(uow.store, found["code"])
            if last is None or last["created_at"] + timedelta(minutes=config["every_minutes"]) <= now:
                due.append(found["code"])
    for code in due:
        actor = f"connector:{code}"
        ctx.follow_ups.extend((RunExchangeExport(code, actor, actor_kind="scheduler"),
                               ReadExchangeInbox(code, actor, actor_kind="scheduler")))
    return {"due": due, "skipped": skipped}
