"""What the scheduler process runs for the other systems: the pushes' sending loop (a thread of its own) and the
timed commands (the upper-level exchange's runs). ``cli.servers.scheduler`` starts them."""

from __future__ import annotations

import threading
from typing import Any

from engine.service.bus import MessageBus

SCHEDULE: tuple[tuple[float, Any], ...] = ()


def start_loops(bus: MessageBus, stop: threading.Event, interval: float) -> None:
    """Placeholder: start the pushes' sending loop in a thread of its own, until ``stop``."""
