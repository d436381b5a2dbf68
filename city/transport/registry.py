"""LoadTransportRegistry: check the registry files and upsert companies, vehicles, sites and permits."""

from __future__ import annotations

from typing import Any

from city.transport.commands import LoadTransportRegistry
from engine.domain.errors import InvalidCommand
from engine.service.bus import HandlerContext


def load_transport_registry(cmd: LoadTransportRegistry, ctx: HandlerContext) -> dict[str, Any]:
    """Check every file, then insert or update each registry's rows in one unit of work."""
    raise InvalidCommand("the transport registry load is not available yet", field="files")
