"""What the assessment lines add to a city's bus beyond their handlers: the rounds' and inspections' script helpers
and step hooks, and the property companies' credit hook."""

from __future__ import annotations

from city.assessment import credit, inspection_hooks, round_hooks
from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Add the assessment lines' helpers and hooks to ``bus``."""
    round_hooks.install(bus)
    inspection_hooks.install(bus)
    credit.install(bus)
