"""The decoration works' command handlers (室内装修工程), registered by ``city.bootstrap``."""

from __future__ import annotations

from city.decoration.commands import CancelDecorationWorks, RegisterDecorationRemoval, RegisterDecorationWorks
from city.decoration.register import register_decoration_works
from city.decoration.removal import cancel_decoration_works, register_decoration_removal
from engine.domain.commands import Command
from engine.service.bus import Handler

DECORATION_HANDLERS: dict[type[Command], Handler] = {
    RegisterDecorationWorks: register_decoration_works,
    RegisterDecorationRemoval: register_decoration_removal,
    CancelDecorationWorks: cancel_decoration_works,
}
