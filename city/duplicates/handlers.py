"""The commands of this package and their handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from city.duplicates.commands import VoidAsDuplicate
from city.duplicates.voiding import void_as_duplicate
from engine.domain.commands import Command
from engine.service.bus import Handler

DUPLICATE_HANDLERS: dict[type[Command], Handler] = {VoidAsDuplicate: void_as_duplicate}
