"""The connectors package's command handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from typing import Any

from city.connectors import deliveries, inbound
from city.connectors.commands import LoadConnectors
from city.connectors.loading import load_connectors

HANDLERS: dict[type, Any] = {LoadConnectors: load_connectors, **inbound.HANDLERS, **deliveries.HANDLERS}
