"""Notification handlers (``engine.domain.notification_commands``) and the writing of notifications: who gets a
delivery over which channel, the in-app inbox, quiet hours; the sender's steps (claim within the rate limits,
report, mark stale sends ``unknown``). The step hook that turns engine events into notifications is
``engine.service.notification_hook``.

A notification to a group fans out to the group's subscriptions and to each member's own; every member (and a
person told directly) also gets an inbox item. A subscription receives a kind when its ``events`` list names it or
is empty. Deliveries are rows the sender (``engine.scheduling.notifications``) picks up; nothing here sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain import notification_commands as nc
from engine.domain import notifications as n
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound
from engine.domain.notification_hosts import host_problem
from engine.domain.notification_templates import render
from engine.domain.working_time import WorkingTime
from engine.persistence.repositories.notifications import DueDelivery, NotificationStore, Subscription
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bus import Handler, HandlerContext, MessageBus
from engine.service.deps import Deps

MAX_DATA_KEYS = 50


@dataclass(frozen=True)
class Outgoing:
    """One notification to write: kind, urgency, recipients (("group" | "person", name)), template data."""

    kind: str
    urgency: str
    recipients: Sequence[tuple[str, str]]
    data: dict[str, Any]
    case_id: int | None
    dedupe_key: str


def next_working_moment(working_time: WorkingTime | None) -> Callable[[datetime], datetime] | None:
    """The calendar's "first duty moment at or after t" (a duty window's start, or t inside one)."""
    return None if working_time is None else working_time.next_working_moment


def _wants(subscription: Subscription, kind: str) -> bool:
    return subscription.channel != n.IN_APP and (not subscription.events or kind in subscription.events)


def _members(notes: NotificationStore, group: str) -> list[str]:
    return [row[0] for row in notes.members(group) if group in Principal(row[0], row[0], *row[1:]).groups]


def write_notifications(uow: UnitOfWork, policy: n.NotifyPolicy, out: Outgoing, now: datetime,
                        working_time: WorkingTime | None) -> list[int]:
    """Write one notification per recipient (each deduplicated by ``out.dedupe_key`` and the recipient), its
    deliveries and its inbox items, in the open transaction; returns the ids of those written. Inside the quiet
    hours a non-urgent delivery is ``deferred`` to the first duty window after them (inbox items never wait)."""
    notes = uow.repository(NotificationStore)
    release = None if out.urgency == n.URGENT else n.release_time(policy.quiet, now,
                                                                   next_working_moment(working_time))
    written = []
    for kind, name in out.recipients:
        notification_id = notes.add_notification(out.case_id, out.kind, out.urgency, (kind, name), out.data,
                                                 f"{out.dedupe_key}|{kind}:{name}"[:300], now)
        if notification_id is None:
            continue
        written.append(notification_id)
        people = _members(notes, name) if kind == n.GROUP else [name]
        targets: dict[tuple[str, str], tuple[str | None, str]] = {}
        if kind == n.GROUP:
            for sub in notes.subscriptions(n.GROUP, [name]):
                if _wants(sub, out.kind):
                    targets.setdefault((sub.channel, sub.address), (None, sub.locale))
        for sub in notes.subscriptions(n.PERSON, people):
            if _wants(sub, out.kind):
                targets.setdefault((sub.channel, sub.address), (sub.subject, sub.locale))
        for (channel, address), (account, locale) in targets.items():
            notes.add_delivery(notification_id, channel, address, account, locale,
                               n.QUEUED if release is None else n.DEFERRED, release or now, now)
        text = render(out.kind, policy.locale, out.data, None if working_time is None else working_time.zone)
        notes.add_inbox_items([(person, notification_id, out.case_id, text.title, text.body, out.data.get("link"))
                               for person in people], now)
    return written


def queue_direct(uow: UnitOfWork, hosts: frozenset[str], out: Outgoing, channel: str, address: str, *,
                 actor: str, locale: str, now: datetime) -> int | None:
    """One urgent notification with one delivery straight to ``address``, checked like a subscription's (form, host
    in ``hosts``: GRIDCASE_NOTIFY_HOSTS; else InvalidCommand naming it); None when ``out.dedupe_key`` was written."""
    problem = (n.address_problem(channel, address) if channel in n.CHANNELS else "unknown channel") \
        or host_problem(address, hosts)
    if problem is not None:
        raise InvalidCommand(f"address: {problem}", field="address")
    notes = uow.repository(NotificationStore)
    found = notes.add_notification(out.case_id, out.kind, n.URGENT, (n.PERSON, actor), out.data,
                                   out.dedupe_key[:300], now)
    if found is not None:
        notes.add_delivery(found, channel, address, None, locale if locale in n.LOCALES else "zh", n.QUEUED,
                           now, now)
    return found


def _deps(ctx: HandlerContext) -> Deps:
    deps: Deps = ctx.deps
    return deps


def _check_send(cmd: nc.SendNotification) -> Outgoing:
    if cmd.kind not in n.KINDS:
        raise InvalidCommand(f"kind must be one of {', '.join(n.KINDS)}", field="kind")
    if cmd.urgency not in n.URGENCIES:
        raise InvalidCommand(f"urgency must be one of {', '.join(n.URGENCIES)}", field="urgency")
    if not isinstance(cmd.data, dict) or len(cmd.data) > MAX_DATA_KEYS:
        raise InvalidCommand(f"data must be an object of at most {MAX_DATA_KEYS} fields", field="data")
    try:
        recipients = [n.parse_recipient(item) for item in cmd.to]
    except ValueError as exc:
        raise InvalidCommand(str(exc), field="to") from None
    if not recipients and cmd.address is None:
        raise InvalidCommand("at least one recipient ('group:NAME' or 'person:NAME') is required", field="to")
    return Outgoing(cmd.kind, cmd.urgency, recipients, dict(cmd.data), cmd.case_id,
                    cmd.dedupe_key or f"command:{uuid.uuid4().hex}")


def _check_subscription(cmd: nc.SetSubscription) -> None:
    if cmd.subject_kind not in n.SUBJECT_KINDS:
        raise InvalidCommand("subject_kind must be 'person' or 'group'", field="subject_kind")
    if not isinstance(cmd.subject, str) or not cmd.subject.strip() or len(cmd.subject) > n.MAX_NAME:
        raise InvalidCommand(f"subject must be a name of 1 to {n.MAX_NAME} characters", field="subject")
    if cmd.channel not in n.CHANNELS:
        raise InvalidCommand(f"channel must be one of {', '.join(n.CHANNELS)}", field="channel")
    problem = n.address_problem(cmd.channel, cmd.address if isinstance(cmd.address, str) else "")
    if problem is not None or not isinstance(cmd.address, str):
        raise InvalidCommand(f"address: {problem}", field="address")
    unknown = [e for e in cmd.events if e not in n.KINDS] if isinstance(cmd.events, tuple | list) else ["?"]
    if unknown:
        raise InvalidCommand(f"events: unknown kind {unknown[0]!r}; use {', '.join(n.KINDS)}", field="events")
    if cmd.locale not in n.LOCALES:
        raise InvalidCommand(f"locale must be one of {', '.join(n.LOCALES)}", field="locale")


class Notifier:
    """The notification handlers, sharing the settings (``policy``: quiet hours, rate limits, attempts, lease)."""

    def __init__(self, policy: n.NotifyPolicy | None = None) -> None:
        self.policy = policy or n.NotifyPolicy()

    def handlers(self) -> dict[type, Handler]:
        """Command → handler, for the bus."""
        return {nc.SetSubscription: self.set_subscription, nc.RemoveSubscription: self.remove_subscription,
                nc.SendNotification: self.send_notification, nc.MarkNotificationsRead: self.mark_read,
                nc.ResendNotification: self.resend, nc.ClaimDueDeliveries: self.claim_due,
                nc.ReportDelivery: self.report, nc.ReportDeliveries: self.report_many,
                nc.ExpireSendingDeliveries: self.expire_sending}

    def set_subscription(self, cmd: nc.SetSubscription, ctx: HandlerContext) -> int:
        """Create or update one subscription; returns its id (a URL to a host off GRIDCASE_NOTIFY_HOSTS: refused)."""
        _check_subscription(cmd)
        if (problem := host_problem(cmd.address, self.policy.hosts)) is not None:
            raise InvalidCommand(f"address: {problem}", field="address")
        with _deps(ctx).uow() as uow:
            return uow.repository(NotificationStore).save_subscription(
                cmd.subject_kind, cmd.subject.strip(), cmd.channel, cmd.address, list(cmd.events), cmd.locale,
                bool(cmd.enabled), _deps(ctx).clock.now())

    def remove_subscription(self, cmd: nc.RemoveSubscription, ctx: HandlerContext) -> None:
        """Delete one subscription; NotFound when there is none."""
        with _deps(ctx).uow() as uow:
            if not uow.repository(NotificationStore).remove_subscription(cmd.subscription_id):
                raise NotFound(f"subscription {cmd.subscription_id} not found", field="subscription_id")

    def send_notification(self, cmd: nc.SendNotification, ctx: HandlerContext) -> list[int]:
        """Write the notification (or, with ``address``, one delivery straight to it); returns the ids written."""
        out = _check_send(cmd)
        now = _deps(ctx).clock.now()
        with _deps(ctx).uow() as uow:
            if cmd.address is None:
                return write_notifications(uow, self.policy, out, now, _deps(ctx).working_time)
            channel = cmd.channel or ("email" if "@" in cmd.address and "://" not in cmd.address else "webhook")
            found = queue_direct(uow, self.policy.hosts, out, channel, cmd.address, actor=cmd.actor,
                                 locale=self.policy.locale, now=now)
            return [] if found is None else [found]

    def mark_read(self, cmd: nc.MarkNotificationsRead, ctx: HandlerContext) -> int:
        """Mark inbox items read; returns how many changed."""
        if cmd.ids is not None and not all(isinstance(i, int) for i in cmd.ids):
            raise InvalidCommand("ids must be inbox item ids", field="ids")
        with _deps(ctx).uow() as uow:
            return uow.repository(NotificationStore).mark_read(cmd.account, cmd.ids, _deps(ctx).clock.now())

    def resend(self, cmd: nc.ResendNotification, ctx: HandlerContext) -> None:
        """Queue an ``unknown`` or ``failed`` delivery again (an operator's call: it may reach its reader twice),
        only while its address is still an enabled subscription (or it was sent straight to an address)."""
        with _deps(ctx).uow() as uow:
            notes = uow.repository(NotificationStore)
            found = notes.sending(cmd.delivery_id)
            if found is None:
                raise NotFound(f"delivery {cmd.delivery_id} not found", field="delivery_id")
            if found[1] not in (n.UNKNOWN, n.FAILED):
                raise InvalidCommand(f"delivery {cmd.delivery_id} is {found[1]}: only an unknown or failed one is"
                                     " sent again", field="delivery_id")
            if not notes.still_subscribed(cmd.delivery_id):  # removed or disabled since: its reader opted out
                raise InvalidCommand(f"delivery {cmd.delivery_id}: its address is no longer an enabled subscription"
                                     " of its person or group, so it is not sent again", field="delivery_id")
            notes.requeue(cmd.delivery_id, _deps(ctx).clock.now())

    def claim_due(self, cmd: nc.ClaimDueDeliveries, ctx: HandlerContext) -> list[DueDelivery]:
        """Take due deliveries, each channel within its rate limit (the rest wait: later ``next_attempt_at``), and
        mark them ``sending``; inside the quiet hours a non-urgent one is ``deferred`` instead (the process that
        queued it may not know the quiet hours: the web's settings are the scheduler's, but the sender decides)."""
        if cmd.ids is not None and not all(isinstance(i, int) and not isinstance(i, bool) for i in cmd.ids):
            raise InvalidCommand("ids must be delivery ids", field="ids")
        deps = _deps(ctx)
        now = deps.clock.now()
        release = n.release_time(self.policy.quiet, now, next_working_moment(deps.working_time))
        with deps.uow() as uow:
            notes = uow.repository(NotificationStore)
            taken: list[DueDelivery] = []
            waiting: dict[str, list[int]] = {}
            recent: dict[str, list[datetime]] = {}
            for item in notes.due(now, cmd.limit, cmd.ids):
                # written before these rules or where the host list was unknown: refused here too
                refused = n.address_problem(item.channel, item.address) or host_problem(item.address,
                                                                                       self.policy.hosts)
                if refused is not None:
                    notes.finish(item.id, n.FAILED, item.attempts, refused, None, None, now)
                    continue
                if release is not None and item.urgency != n.URGENT:  # queued by a process without quiet hours
                    notes.defer(item.id, release, now)
                    continue
                limit = self.policy.rate_limits.get(item.channel)
                if limit is not None and item.channel not in recent:
                    recent[item.channel] = notes.claimed_since(item.channel, now - limit.period)
                wait = n.rate_wait(limit, recent.get(item.channel, []), now)
                if wait is not None:
                    waiting.setdefault(item.channel, []).append(item.id)
                    recent.setdefault(item.channel, []).append(wait)  # its place, for the next one's wait
                    notes.postpone([item.id], wait, now)
                    continue
                recent.setdefault(item.channel, []).append(now)
                taken.append(item)
            notes.mark_sending([item.id for item in taken], now)
            return taken

    def report(self, cmd: nc.ReportDelivery, ctx: HandlerContext) -> str:
        """Record one attempt: sent, retrying (back-off) or failed (out of attempts); returns the new status."""
        now = _deps(ctx).clock.now()
        with _deps(ctx).uow() as uow:
            return self._record(uow.repository(NotificationStore), cmd, now)

    def report_many(self, cmd: nc.ReportDeliveries, ctx: HandlerContext) -> list[str | None]:
        """Record a batch of attempts in one transaction; None for one no longer ``sending`` (left as it is)."""
        now = _deps(ctx).clock.now()
        with _deps(ctx).uow() as uow:
            notes = uow.repository(NotificationStore)
            found: list[str | None] = []
            for report in cmd.reports:
                try:
                    found.append(self._record(notes, report, now))
                except (ConcurrencyConflict, NotFound):  # expired to unknown meanwhile: the lease was too short
                    found.append(None)
            return found

    def _record(self, notes: NotificationStore, cmd: nc.ReportDelivery, now: datetime) -> str:
        found = notes.sending(cmd.delivery_id)
        if found is None:
            raise NotFound(f"delivery {cmd.delivery_id} not found", field="delivery_id")
        if found[1] != n.SENDING:
            raise ConcurrencyConflict(f"delivery {cmd.delivery_id} is {found[1]}, not sending")
        attempts = found[0] + 1
        if cmd.error is None:
            notes.finish(cmd.delivery_id, n.SENT, attempts, None, None, cmd.sent_at or now, now)
            return n.SENT
        retry_at = self.policy.retry_at(attempts, now)
        status = n.FAILED if retry_at is None else n.RETRYING
        notes.finish(cmd.delivery_id, status, attempts, cmd.error[:2000], retry_at, None, now)
        return status

    def expire_sending(self, cmd: nc.ExpireSendingDeliveries, ctx: HandlerContext) -> list[int]:
        """Deliveries ``sending`` past the lease become ``unknown``; returns their ids."""
        now = _deps(ctx).clock.now()
        with _deps(ctx).uow() as uow:
            return uow.repository(NotificationStore).expire_sending(now - self.policy.lease, now)


def notifier_of(bus: MessageBus) -> Notifier:
    """The bus's notifier (to set its policy from the settings, or a test's)."""
    handler: Any = bus.handlers[nc.SetSubscription]
    notifier: Notifier = handler.__self__
    return notifier
