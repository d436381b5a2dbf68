"""Law enforcement's command handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from city.enforcement.commands import TransferToEnforcement
from city.enforcement.transfer import transfer_to_enforcement
from engine.domain.commands import Command
from engine.service.bus import Handler

ENFORCEMENT_HANDLERS: dict[type[Command], Handler] = {
    TransferToEnforcement: transfer_to_enforcement,
}
