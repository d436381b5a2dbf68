"""What the decoration works add to a city's bus beyond their handlers: the step hooks (``city.decoration.links``)
and the works' own messages marked internal (``SendMessage`` refuses them unless a case threw them)."""

from __future__ import annotations

from city.decoration.links import inspection_opener, keep_works_state, link_nearby_case
from city.decoration.messages import INTERNAL_MESSAGES
from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Add the decoration works' step hooks to ``bus`` and mark its messages internal."""
    bus.deps.step_hooks.append(keep_works_state)
    bus.deps.step_hooks.append(inspection_opener(bus.deps))
    bus.deps.step_hooks.append(link_nearby_case)
    bus.deps.internal_messages |= INTERNAL_MESSAGES
