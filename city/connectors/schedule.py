"""What the scheduler process runs for the other systems: the pushes' sending loop (a thread of its own,
``city.connectors.push_loop``) and the timed commands (the upper-level exchange's runs, ``city.exchange.runs``).
``cli.servers.scheduler`` starts them."""

from __future__ import annotations

import threading
from typing import Any

from city.connectors.push_loop import start_push_loop
from city.exchange.runs import SCHEDULE as EXCHANGE_SCHEDULE
from engine.service.bus import MessageBus

SCHEDULE: tuple[tuple[float, Any], ...] = EXCHANGE_SCHEDULE


def start_loops(bus: MessageBus, stop: threading.Event, interval: float) -> None:
    """Start the pushes' sending loop (its own thread) until ``stop``."""
    start_push_loop(bus, stop, interval)
