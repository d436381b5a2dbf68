"""What the emergency capability adds to a city's bus beyond its handlers (script helpers, step hooks)."""

from __future__ import annotations

from city.emergency import rules
from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Add the emergency capability's script helpers and step hooks to ``bus``."""
    rules.install(bus)  # emergency_at(lon, lat): the lifecycle's emergency rules (H5)
