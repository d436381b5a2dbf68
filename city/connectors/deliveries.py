"""The pushes' commands: ClaimDuePushes (one short transaction: stale claims released, due pushes marked
``sending`` — only each case's lowest unsent one, so a case's pushes go out in order), ReportPushes (each attempt
logged; a result applies only to the claim it was sent under — a late one of a claim released after its lease is
logged ``stale`` and changes nothing; 2xx sent, else retrying with back-off doubling from ``backoff_seconds`` up
to an hour, failed after ``max_attempts``) and RetryPush (an admin queues a failed push again). Delivery is at
least once: a push ``sending`` longer than ``LEASE`` (its sender died) goes back to ``retrying``; receivers dedupe
by ``X-Gridcase-Delivery``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from city.connectors.commands import ClaimDuePushes, PushResult, ReportPushes, RetryPush
from city.connectors.config_hotline import DEFAULTS
from city.persistence.read import connectors as reads
from city.persistence.repositories import connectors as repo
from city.registry_loads import refuse_non_admins
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

LEASE = timedelta(minutes=5)
MAX_BACKOFF_SECONDS = 3600
MAX_CLAIM = 100


@dataclass(frozen=True)
class Push:
    """A claimed push: what to send where, with which secret's variable and timeout; ``claimed_at`` is the claim's
    token, given back in its ``PushResult``."""

    delivery_id: int
    connector: str
    url: str
    body: str
    secret_env: str
    timeout_seconds: int
    claimed_at: datetime


def _outbound(uow: UnitOfWork, code: str) -> dict[str, Any]:
    found = reads.config(uow.store, code)
    return {} if found is None else dict(found["config"].get("outbound") or {})


def claim_due_pushes(cmd: ClaimDuePushes, ctx: HandlerContext) -> list[Push]:
    """Claim up to ``limit`` due pushes (after releasing claims older than the lease)."""
    if not isinstance(cmd.limit, int) or isinstance(cmd.limit, bool) or not 1 <= cmd.limit <= MAX_CLAIM:
        raise InvalidCommand(f"limit must be a whole number from 1 to {MAX_CLAIM}", field="limit")
    now = ctx.deps.clock.now()
    with ctx.deps.uow() as uow:
        repo.release_stale(uow.store, now - LEASE)
        claimed = []
        for delivery_id in repo.claim_due(uow.store, cmd.limit, now):
            row = reads.delivery(uow.store, delivery_id)
            found = reads.config(uow.store, row["connector"]) if row else None
            if row is None or found is None:
                continue
            outbound = found["config"]["outbound"]
            claimed.append(Push(delivery_id, row["connector"], outbound["url"], row["body"],
                                found["config"]["secret_env"],
                                int(outbound.get("timeout_seconds", DEFAULTS["timeout_seconds"])), now))
    return claimed


def _outcome(result: PushResult, attempts: int, outbound: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The push's new columns after an attempt."""
    if result.http_status is not None and 200 <= result.http_status < 300:
        return {"status": "sent", "attempts": attempts, "delivered_at": now, "claimed_at": None, "last_error": None}
    error = result.error or f"HTTP {result.http_status}"
    if attempts >= int(outbound.get("max_attempts", DEFAULTS["max_attempts"])):
        return {"status": "failed", "attempts": attempts, "claimed_at": None, "last_error": error}
    backoff = int(outbound.get("backoff_seconds", DEFAULTS["backoff_seconds"]))
    wait = min(backoff * 2 ** min(attempts - 1, 20), MAX_BACKOFF_SECONDS)
    return {"status": "retrying", "attempts": attempts, "claimed_at": None, "last_error": error,
            "next_attempt_at": now + timedelta(seconds=wait)}


def _attempt(result: PushResult) -> dict[str, Any]:
    return {"http_status": result.http_status, "error": (result.error or "")[:2000] or None,
            "duration_ms": result.duration_ms}


def report_pushes(cmd: ReportPushes, ctx: HandlerContext) -> dict[str, int]:
    """Record each attempt and the push's new state; the counts by new status."""
    now, counts = ctx.deps.clock.now(), {"sent": 0, "retrying": 0, "failed": 0}
    with ctx.deps.uow() as uow:
        for result in cmd.results:
            row = reads.delivery(uow.store, result.delivery_id)
            if row is None:
                continue
            values = _outcome(result, int(row["attempts"]) + 1, _outbound(uow, row["connector"]), now)
            if not repo.set_claimed_outcome(uow.store, result.delivery_id, result.claimed_at, values):
                # released after its lease (and maybe claimed and delivered again): the newer claim reports
                repo.log_attempt(uow.store, result.delivery_id, "stale", _attempt(result), cmd.actor, now)
                continue
            repo.log_attempt(uow.store, result.delivery_id, values["status"], _attempt(result), cmd.actor, now)
            counts[values["status"]] += 1
    return counts


def retry_push(cmd: RetryPush, ctx: HandlerContext) -> dict[str, Any]:
    """Queue the failed push ``delivery_id`` again with a fresh count of attempts (admins)."""
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.delivery_id, int) or isinstance(cmd.delivery_id, bool) or not 0 < cmd.delivery_id < 2**62:
        raise InvalidCommand("delivery_id must be a positive whole number", field="delivery_id")
    now = ctx.deps.clock.now()
    with ctx.deps.uow() as uow:
        refuse_non_admins(uow, cmd.actor, "retry a push")
        row = reads.delivery(uow.store, cmd.delivery_id)
        if row is None:
            raise NotFound(f"no push {cmd.delivery_id}", field="delivery_id")
        if row["status"] != "failed":
            raise InvalidCommand(f"push {cmd.delivery_id} is {row['status']}, not failed", field="delivery_id")
        repo.set_outcome(uow.store, cmd.delivery_id, {"status": "queued", "attempts": 0, "next_attempt_at": now})
        repo.log_attempt(uow.store, cmd.delivery_id, "queued", {}, cmd.actor, now)
    return {"id": cmd.delivery_id, "status": "queued"}


HANDLERS: dict[type, Any] = {ClaimDuePushes: claim_due_pushes, ReportPushes: report_pushes, RetryPush: retry_push}
