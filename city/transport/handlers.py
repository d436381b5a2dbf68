"""Transport supervision's command handlers (渣土运输监管), registered by ``city.bootstrap``."""

from __future__ import annotations

from city.transport.commands import LoadTransportRegistry
from city.transport.registry import load_transport_registry
from engine.domain.commands import Command
from engine.service.bus import Handler

TRANSPORT_HANDLERS: dict[type[Command], Handler] = {
    LoadTransportRegistry: load_transport_registry,
}
