"""The connectors' commands: load the configuration, take a transferred work order in, and the pushes' sending
cycle (claim due pushes, report how each went, queue a failed one again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.domain.commands import Command


@dataclass(frozen=True)
class LoadConnectors(Command):
    """Load the connectors' configuration file (JSON text ``{"connectors": [...]}``): every problem named
    ``connectors[i].path`` and nothing written on one; a changed connector gets version+1, an unchanged one is
    left alone, one missing from the file is deactivated (never deleted). Admins."""

    content: str
    actor: str


@dataclass(frozen=True)
class ReceiveWorkOrder(Command):
    """A work order the connector's system transferred (its JSON body, signature already checked): mapped by the
    config and reported; the same order id again answers the first case. ``actor``: ``connector:<code>``."""

    connector: str
    body: bytes
    actor: str


@dataclass(frozen=True)
class ClaimDuePushes(Command):
    """Mark up to ``limit`` due pushes ``sending`` (only each case's lowest unsent one); returns what to send."""

    limit: int
    actor: str = "scheduler"


@dataclass(frozen=True)
class PushResult:
    """How one HTTP attempt went: its status (None: no answer), error text, duration, and the claim it was sent
    under (the push's ``claimed_at`` then): a result of an older claim, released after its lease, must not
    overwrite what the newer claim reports."""

    delivery_id: int
    http_status: int | None
    error: str | None
    duration_ms: int
    claimed_at: datetime


@dataclass(frozen=True)
class ReportPushes(Command):
    """Record the attempts' results: 2xx sent, else retrying with back-off or failed after max attempts."""

    results: tuple[PushResult, ...]
    actor: str = "scheduler"


@dataclass(frozen=True)
class RetryPush(Command):
    """Queue a failed push again (admins); logged with the actor."""

    delivery_id: int
    actor: str
