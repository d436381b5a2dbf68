"""The scheduler's notification sender: takes due deliveries, sends each through Apprise, reports how it went.

One iteration (``run_once``): ``ExpireSendingDeliveries`` (deliveries left ``sending`` past the lease, because the
process died mid-send, become ``unknown``); ``ClaimDueDeliveries`` (a short transaction marking due deliveries
``sending``, within the per-channel rate limits); the sends, outside any transaction, a few at once; one
``ReportDelivery`` per send (``sent``, ``retrying`` with back-off, or ``failed`` after the last attempt).

At most once: a delivery is marked ``sending`` and committed before its send, so a crash between the send and the
report leaves it ``sending``, and it becomes ``unknown`` — never sent again on its own, since the message may have
gone out (an SMTP server that accepted it, a webhook that acted on it). ``ResendNotification`` queues it again when
an operator decides to. A reminder sent twice is worse than one an operator must look at.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from engine.domain import notification_commands as nc
from engine.domain.errors import ConcurrencyConflict, GridcaseError, NotFound
from engine.domain.notification_templates import render
from engine.domain.notifications import SmtpSettings
from engine.persistence.repositories.notifications import DueDelivery
from engine.scheduling.notify_send import send
from engine.service.bus import MessageBus

log = logging.getLogger(__name__)


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

    def run_once(self) -> int:
        """Expire stale sends, take the due deliveries, send them and report each; returns how many were tried."""
        self.bus.handle(nc.ExpireSendingDeliveries())
        taken: list[DueDelivery] = self.bus.handle(nc.ClaimDueDeliveries(self.batch))
        if not taken:
            return 0
        if len(taken) == 1 or self.senders == 1:
            outcomes = [self._send(item) for item in taken]
        else:
            with ThreadPoolExecutor(min(self.senders, len(taken))) as pool:
                outcomes = list(pool.map(self._send, taken))
        for item, (error, at) in zip(taken, outcomes, strict=True):
            self._report(item, error, at)
        self.attempted += len(taken)
        return len(taken)

    def _send(self, item: DueDelivery) -> tuple[str | None, datetime]:
        zone = None if self.bus.deps.working_time is None else self.bus.deps.working_time.zone
        text = render(item.kind, item.locale, item.data, zone)
        error = send(item.channel, item.address, text.title, text.body, self.smtp)
        return error, self.bus.deps.clock.now()

    def _report(self, item: DueDelivery, error: str | None, at: datetime) -> None:
        try:
            self.bus.handle(nc.ReportDelivery(item.id, error, sent_at=at))
            if error is None:
                self.sent += 1
            else:
                log.warning("notification delivery %s (%s) failed: %s", item.id, item.channel, error)
        except (ConcurrencyConflict, NotFound) as exc:  # expired to unknown meanwhile: the lease was too short
            log.error("notification delivery %s: %s", item.id, exc)

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Iterate until ``stop`` is set, waiting ``interval`` seconds after an iteration that found nothing."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except GridcaseError as exc:
                log.warning("notification loop: %s", exc)
                busy = 0
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("notification loop failed")
                busy = 0
            if not busy:
                stop.wait(interval)
