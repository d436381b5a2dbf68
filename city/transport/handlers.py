"""Transport supervision's command handlers (渣土运输监管), registered by ``city.bootstrap``."""

from __future__ import annotations

from city.transport.commands import CheckSilentVehicles, LoadTransportRegistry, PruneGpsPositions, RecordGpsPositions
from city.transport.ingest import record_gps_positions
from city.transport.registry import load_transport_registry
from city.transport.upkeep import check_silent_vehicles, prune_gps_positions
from engine.domain.commands import Command
from engine.service.bus import Handler

TRANSPORT_HANDLERS: dict[type[Command], Handler] = {
    LoadTransportRegistry: load_transport_registry,
    RecordGpsPositions: record_gps_positions,
    CheckSilentVehicles: check_silent_vehicles,
    PruneGpsPositions: prune_gps_positions,
}
