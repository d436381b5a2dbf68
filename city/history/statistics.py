"""Refreshing the query planner's statistics of the facts after an import (``RefreshFactStatistics``)."""

from __future__ import annotations

from city import commands as city_commands
from city.persistence.repositories.facts import FACT_TABLES, FactStore
from engine.persistence.db import vacuum_analyze
from engine.service.bus import HandlerContext, MessageBus


def refresh_statistics(bus: MessageBus, vacuum: bool = False) -> None:
    """Let the query planner know the facts' new size and spread (``RefreshFactStatistics``)."""
    bus.handle(city_commands.RefreshFactStatistics(vacuum=vacuum))


def refresh_fact_statistics(cmd: city_commands.RefreshFactStatistics, ctx: HandlerContext) -> None:
    """ANALYZE the facts and their counts (SQLite keeps no statistics on its own); ``vacuum`` on PostgreSQL:
    VACUUM (ANALYZE), outside a transaction, so index-only scans skip the new pages (2.8 M imported cases:
    heat map p95 325 → 138 ms)."""
    if cmd.vacuum and vacuum_analyze(ctx.deps.db, FACT_TABLES):
        return
    with ctx.deps.uow() as uow:
        uow.repository(FactStore).analyze()
