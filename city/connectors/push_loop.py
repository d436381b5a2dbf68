"""The pushes' sending loop in the scheduler process: claim due pushes (one short transaction), POST each outside
any transaction — all at once, each bounded by its connector's timeout — and report the results (another).
``send_due`` is one round, which the tests call as the loop does."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from city.connectors.commands import ClaimDuePushes, ReportPushes
from city.connectors.sender import send
from engine.service.bus import MessageBus

LOG = logging.getLogger(__name__)
BATCH = 20


def send_due(bus: MessageBus, limit: int = BATCH) -> dict[str, int]:
    """Send the pushes due now; the counts by new status (sent, retrying, failed)."""
    pushes = bus.handle(ClaimDuePushes(limit))
    if not pushes:
        return {"sent": 0, "retrying": 0, "failed": 0}
    # each push in its own thread, signed when it is sent: a round lasts at most about one timeout (≤ 120 s per
    # attempt, config_hotline.LIMITS), well inside the claims' lease, however many pushes it holds
    with ThreadPoolExecutor(max_workers=len(pushes), thread_name_prefix="gridcase-push") as pool:
        results = tuple(pool.map(lambda push: send(push, bus.deps.clock.now().timestamp()), pushes))
    counts: dict[str, int] = bus.handle(ReportPushes(results))
    return counts


def _run(bus: MessageBus, stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            while sum(send_due(bus).values()) >= BATCH and not stop.is_set():
                continue  # a full batch: more may be due at once
        except Exception:  # a broken round must not end the loop; the next one retries
            LOG.exception("sending the connectors' pushes failed")
        stop.wait(interval)


def start_push_loop(bus: MessageBus, stop: threading.Event, interval: float) -> None:
    """Start sending due pushes in a daemon thread of its own until ``stop``."""
    threading.Thread(target=_run, args=(bus, stop, interval), name="gridcase-connector-pushes", daemon=True).start()
