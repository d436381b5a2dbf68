"""The upper-level exchange's timed runs: every ``PERIOD_SECONDS`` the scheduler (``gridcase scheduler``, through
``city.connectors.schedule``) sends RunDueExchanges, which queues, for each active upper_level connector whose
``every_minutes`` passed since its last run, a RunConnectorExchange: its export and then its inbox, each failure
caught and logged there, so one connector's failure never stops the others' runs (the bus goes on with the next
follow-up only after a GridcaseError).

An empty period writes no file and no batch row, so the last run is the later of the newest export batch and the
time this process last queued the connector's run (kept in memory: after a restart each connector runs once at
once, which only reads when nothing changed)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from city.exchange.commands import ReadExchangeInbox, RunConnectorExchange, RunDueExchanges, RunExchangeExport
from city.exchange.config import config_problems
from city.exchange.export import run_export
from city.exchange.inbox import read_inbox
from city.persistence.read import exchange as reads
from engine.service.bus import HandlerContext
from engine.service.per_deps import kept_for

PERIOD_SECONDS = 60.0
SCHEDULE: tuple[tuple[float, Any], ...] = ((PERIOD_SECONDS, RunDueExchanges),)
_LAST_RUNS: dict[int, dict[str, datetime]] = {}  # per Deps: connector code → when its run was last queued
log = logging.getLogger(__name__)


def run_due(cmd: RunDueExchanges, ctx: HandlerContext) -> dict[str, Any]:
    """The handler of RunDueExchanges: ``{due: [codes]}``; a connector whose stored configuration no longer checks
    is left out (``skipped``) rather than stopping the others."""
    now = ctx.deps.clock.now()
    runs = kept_for(_LAST_RUNS, ctx.deps, dict)
    due, skipped = [], []
    with ctx.deps.uow(read_only=True) as uow:
        for found in reads.active_connectors(uow.store):
            config = found["config"]
            if config_problems(config):
                skipped.append(found["code"])
                continue
            exported = reads.last_export(uow.store, found["code"])
            exported_at = None if exported is None else exported["created_at"]
            times: list[datetime] = [t for t in (runs.get(found["code"]), exported_at) if t is not None]
            if not times or max(times) + timedelta(minutes=config["every_minutes"]) <= now:
                due.append(found["code"])
    for code in due:
        runs[code] = now
        ctx.follow_ups.append(RunConnectorExchange(code, actor_kind="scheduler"))
    return {"due": due, "skipped": skipped}


def _isolated(part: str, code: str, handler: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return handler()
    except Exception as exc:  # whatever it is, the other part and the other connectors still run
        log.exception("exchange %s: the scheduled %s failed", code, part)
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def run_connector(cmd: RunConnectorExchange, ctx: HandlerContext) -> dict[str, Any]:
    """The handler of RunConnectorExchange: the connector's export then its inbox, as the connector's own actor
    (each of those commands' handlers keeps its own transactions)."""
    actor = f"connector:{cmd.connector}"
    export = _isolated("export", cmd.connector, lambda: run_export(
        RunExchangeExport(cmd.connector, actor, actor_kind="scheduler"), ctx))
    inbox = _isolated("inbox", cmd.connector, lambda: read_inbox(
        ReadExchangeInbox(cmd.connector, actor, actor_kind="scheduler"), ctx))
    return {"connector": cmd.connector, "export": export, "inbox": inbox}
