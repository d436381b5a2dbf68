"""(being written)"""

from __future__ import annotations

from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Add this part's script helpers and step hooks to ``bus``."""
