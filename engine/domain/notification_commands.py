"""Notification commands (handlers in ``engine.service.notifications``): subscriptions, sending one notification,
the inbox, and the sender's own steps (claim due deliveries, report how a send went, mark stale sends unknown)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain.commands import Command


@dataclass(frozen=True)
class SetSubscription(Command):
    """Create or update the subscription of a person or group (``subject_kind`` 'person' | 'group') to a channel
    at an address (the unique key); ``events``: the kinds it receives (empty: all)."""

    subject_kind: str
    subject: str
    channel: str
    address: str = ""
    events: tuple[str, ...] = ()
    locale: str = "zh"
    enabled: bool = True
    actor: str = "system"


@dataclass(frozen=True)
class RemoveSubscription(Command):
    """Delete one subscription by id."""

    subscription_id: int
    actor: str = "system"


@dataclass(frozen=True)
class SendNotification(Command):
    """Tell ``to`` (``"group:NAME"`` / ``"person:NAME"`` entries) about a ``kind`` event; ``dedupe_key``: the same
    key never writes twice (None: a fresh key). ``address``/``channel`` instead of ``to``: one delivery straight
    to that address (``gridcase notify test``)."""

    kind: str
    to: tuple[str, ...] = ()
    urgency: str = "normal"
    data: dict[str, Any] = field(default_factory=dict)
    case_id: int | None = None
    dedupe_key: str | None = None
    channel: str | None = None
    address: str | None = None
    actor: str = "system"


@dataclass(frozen=True)
class MarkNotificationsRead(Command):
    """Mark ``account``'s inbox items read: the ``ids`` given, or every one (``ids`` None)."""

    account: str
    ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ResendNotification(Command):
    """Queue a delivery again (an operator's decision for one left ``unknown`` or ``failed``)."""

    delivery_id: int
    actor: str = "system"


@dataclass(frozen=True)
class ClaimDueDeliveries(Command):
    """The sender: take up to ``limit`` due deliveries (rate limits permitting) and mark them ``sending``; with
    ``ids``, only those (``gridcase notify test`` sends its own delivery and no other)."""

    limit: int = 50
    ids: tuple[int, ...] | None = None
    actor: str = "scheduler"


@dataclass(frozen=True)
class ReportDelivery(Command):
    """The sender: how one send went (``error`` None: sent); retried with back-off or failed after the last
    attempt."""

    delivery_id: int
    error: str | None = None
    sent_at: datetime | None = None
    actor: str = "scheduler"


@dataclass(frozen=True)
class ReportDeliveries(Command):
    """The sender: how a batch of sends went, in one transaction (each as ``ReportDelivery`` says; one no longer
    ``sending`` is left as it is)."""

    reports: tuple[ReportDelivery, ...]
    actor: str = "scheduler"


@dataclass(frozen=True)
class ExpireSendingDeliveries(Command):
    """The sender: deliveries left ``sending`` longer than the lease (their sender died mid-send) become
    ``unknown`` and are not sent again on their own: whether the message went out cannot be known."""

    actor: str = "scheduler"
