"""The pushes' sending loop in the scheduler process (placeholder: the connectors' package fills it)."""

from __future__ import annotations

import threading

from engine.service.bus import MessageBus


def start_push_loop(bus: MessageBus, stop: threading.Event, interval: float) -> None:
    """Start sending due pushes in a thread of its own until ``stop``."""
