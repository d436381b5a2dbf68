"""What the emergency capability adds to a city's bus beyond its handlers (script helpers, step hooks)."""

from __future__ import annotations

from city.emergency import rules
from city.emergency.assembly import assembly_helpers
from city.emergency.read_model import keep_emergency_rows
from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Add the emergency capability's script helpers and step hooks to ``bus``."""
    rules.install(bus)  # emergency_at(lon, lat): the lifecycle's emergency rules (H5)
    bus.deps.script_helpers.update(assembly_helpers(bus.deps.uow))  # who an emergency calls (H4)
    bus.deps.step_hooks.append(keep_emergency_rows)  # the emergencies / assembly_calls rows (H4)
    # thrown by the emergency case only: a forged end would close every assembly call, a forged declaration
    # switch waiting cases to emergency rules (DeclareEmergency / EndEmergency are the ways in)
    bus.deps.internal_messages |= {"emergency_declared", "emergency_ended"}
