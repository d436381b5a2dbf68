"""Rate limits: how often a key (an Open311 app's api key, a phone number, a client address) may do something,
counted in the database (``rate_counts``) so every web process and machine counts together.

``within_limit`` counts inside a command's own transaction (a refused command writes nothing, so its hit is not
kept — the window is full anyway); ``CountRequest`` is the gate a route sends first, in its own transaction, for
what has no command of its own (reads) or must count even when the command then refuses the request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from engine.domain import commands as c
from engine.domain.errors import InvalidCommand, TooManyRequests
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.rate_counts import RateDecision, take

if TYPE_CHECKING:
    from engine.service.bus import HandlerContext

MAX_WINDOW = 86_400  # a day: rate_counts keeps two


def within_limit(store: CaseStore, scope: str, key: str, limit: int, window_seconds: int, now: datetime, *,
                 what: str, field: str | None = None) -> RateDecision:
    """Count one hit; TooManyRequests (429, naming ``what`` and ``field``, with Retry-After) beyond ``limit``."""
    decision = take(store, scope, key, limit, window_seconds, now)
    if not decision.allowed:
        raise TooManyRequests(f"too many {what}: at most {limit} in {_period(window_seconds)}; try again in "
                              f"{decision.retry_after} s", retry_after=decision.retry_after, field=field)
    return decision


def count_request(cmd: c.CountRequest, ctx: HandlerContext) -> RateDecision:
    """The gate: one hit of ``cmd.key`` counted and kept; 429 beyond the limit."""
    if not cmd.scope or len(cmd.scope) > 30:
        raise InvalidCommand("scope must be 1–30 characters", field="scope")
    if not 0 < cmd.window_seconds <= MAX_WINDOW or cmd.limit < 0:
        raise InvalidCommand(f"window_seconds must be 1–{MAX_WINDOW} and limit not negative", field="window_seconds")
    with ctx.deps.uow() as uow:
        decision = take(uow.store, cmd.scope, cmd.key, cmd.limit, cmd.window_seconds, ctx.deps.clock.now())
    if not decision.allowed:
        raise TooManyRequests(f"too many requests: at most {cmd.limit} in {_period(cmd.window_seconds)}; try again "
                              f"in {decision.retry_after} s", retry_after=decision.retry_after)
    return decision


def _period(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''}" if count > 1 else f"a {unit}"
    return f"{seconds} s"
