"""(being written)"""

from __future__ import annotations

from engine.domain.commands import Command
from engine.service.bus import Handler

HANDLERS: dict[type[Command], Handler] = {}
