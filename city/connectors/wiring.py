"""The connectors package's hooks and caches on the bus."""

from __future__ import annotations

from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Placeholder: the package adds its step hooks and caches here."""
