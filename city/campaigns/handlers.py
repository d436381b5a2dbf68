"""The campaigns commands' handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from engine.domain.commands import Command
from engine.service.bus import Handler

CAMPAIGN_HANDLERS: dict[type[Command], Handler] = {}
