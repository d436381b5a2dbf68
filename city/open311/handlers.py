"""The open311 package's command handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from typing import Any

HANDLERS: dict[type, Any] = {}
