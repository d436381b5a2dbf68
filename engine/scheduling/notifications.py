"""The scheduler's notification sender: takes due deliveries, sends each through Apprise, reports how it went.

One iteration (``run_once``): every few seconds ``ExpireSendingDeliveries`` (deliveries left ``sending`` past the
lease, because the process died mid-send, become ``unknown``); a read-only look for due deliveries, then
``ClaimDueDeliveries`` (a short transaction marking them ``sending``, within the per-channel rate limits; ``run``
claims no more than it has free sender threads); the sends, outside any transaction, a few at once, each bounded by
the sender's own timeouts (``GRIDCASE_NOTIFY_CONNECT_TIMEOUT``, ``_READ_TIMEOUT``); ``ReportDeliveries`` for those
finished (each ``sent``, ``retrying`` with back-off, or ``failed`` after the last attempt). ``run`` keeps this going
as a pipeline; ``run_once`` does one round (the tests, ``gridcase notify test``).

At most once: a delivery is marked ``sending`` and committed before its send, so a crash between the send and the
report leaves it ``sending``, and it becomes ``unknown`` — never sent again on its own, since the message may have
gone out (an SMTP server that accepted it, a webhook that acted on it). ``ResendNotification`` queues it again when
an operator decides to. A reminder sent twice is worse than one an operator must look at.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from engine.domain import notification_commands as nc
from engine.domain.errors import GridcaseError
from engine.domain.notification_templates import render
from engine.domain.notifications import SmtpSettings
from engine.persistence.read import notifications as reads
from engine.persistence.repositories.notifications import DueDelivery
from engine.scheduling.notify_send import Timeouts, send
from engine.service.bus import MessageBus
from engine.service.notifications import notifier_of

log = logging.getLogger(__name__)
EXPIRE_EVERY = timedelta(seconds=5)  # between looks for deliveries left sending past the lease


class NotificationLoop:
    """Sends the notifications' deliveries for one scheduler process."""

    def __init__(self, bus: MessageBus, smtp: SmtpSettings | None = None, *, batch: int = 50,
                 senders: int = 4) -> None:
        self.bus = bus
        self.smtp = smtp or SmtpSettings()
        self.batch = batch  # deliveries one iteration takes at most
        self.senders = max(1, senders)  # sends at once (each waits on a server)
        self.sent = 0
        self.attempted = 0
        self._next_expiry: datetime | None = None

    def _take(self, room: int, ids: tuple[int, ...] | None = None) -> list[DueDelivery]:
        """Expire stale sends (every few seconds), then take up to ``room`` due deliveries (none: no write lock);
        with ``ids``, only those deliveries."""
        deps = self.bus.deps
        now = deps.clock.now()
        if self._next_expiry is None or now >= self._next_expiry:
            self.bus.handle(nc.ExpireSendingDeliveries())
            self._next_expiry = now + EXPIRE_EVERY
        with deps.uow(read_only=True) as uow:  # look first: claiming takes the write lock
            if not reads.any_due(uow.store, now):
                return []
        taken: list[DueDelivery] = self.bus.handle(nc.ClaimDueDeliveries(room, ids))
        return taken

    def _send(self, item: DueDelivery) -> tuple[str | None, datetime]:
        try:
            zone = None if self.bus.deps.working_time is None else self.bus.deps.working_time.zone
            text = render(item.kind, item.locale, item.data, zone)
            policy = notifier_of(self.bus).policy
            error = send(item.channel, item.address, text.title, text.body, self.smtp,
                         Timeouts(policy.connect_timeout, policy.read_timeout))
        except Exception as exc:  # never lose the report of a send: it becomes a retry
            log.exception("notification delivery %s: the send failed", item.id)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        return error, self.bus.deps.clock.now()

    def _report(self, done: list[tuple[DueDelivery, str | None, datetime]]) -> None:
        """One ``ReportDeliveries`` for the finished sends."""
        if not done:
            return
        reports = tuple(nc.ReportDelivery(item.id, error, sent_at=at) for item, error, at in done)
        statuses: list[str | None] = self.bus.handle(nc.ReportDeliveries(reports))
        for (item, error, _), status in zip(done, statuses, strict=True):
            if status is None:
                log.error("notification delivery %s was no longer sending when reported (the lease is too short)",
                          item.id)
            elif error is not None:
                log.warning("notification delivery %s (%s) failed: %s", item.id, item.channel, error)
        self.sent += statuses.count("sent")
        self.attempted += len(done)

    def run_once(self, ids: tuple[int, ...] | None = None) -> int:
        """Take the due deliveries (up to ``batch``; with ``ids``, only those: ``gridcase notify test`` sends its
        own and no other), send them a few at once, report them in one command; returns how many were tried."""
        taken = self._take(self.batch, ids)
        if not taken:
            return 0
        with ThreadPoolExecutor(min(self.senders, len(taken))) as pool:
            outcomes = list(pool.map(self._send, taken))
        self._report([(item, error, at) for item, (error, at) in zip(taken, outcomes, strict=True)])
        return len(taken)

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Until ``stop`` is set: a pipeline keeping one send in flight on each of the ``senders`` threads, taking
        (claiming) only as many as threads are free — a delivery claimed and left waiting for a thread could sit
        ``sending`` past the lease and be marked ``unknown`` though never sent — and reporting whatever finished
        together: a slow channel (an SMTP session) does not hold back the report of a fast one (a webhook).
        In-flight sends are reported before it returns."""
        with ThreadPoolExecutor(self.senders, thread_name_prefix="notify-send") as pool:
            flying: dict[Future[tuple[str | None, datetime]], DueDelivery] = {}
            while not stop.is_set() or flying:
                try:
                    free = min(self.batch, self.senders) - len(flying)
                    if not stop.is_set() and free > 0:
                        for item in self._take(free):
                            flying[pool.submit(self._send, item)] = item
                    if not flying:
                        stop.wait(interval)
                        continue
                    done, _ = wait(flying, timeout=interval, return_when=FIRST_COMPLETED)
                    self._report([(flying.pop(future), *future.result()) for future in done])
                except GridcaseError as exc:
                    log.warning("notification loop: %s", exc)
                    stop.wait(interval)
                except Exception:  # the database may be briefly unavailable; keep the loop alive
                    log.exception("notification loop failed")
                    stop.wait(interval)
