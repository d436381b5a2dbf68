"""The assessment lines' command handlers (垃圾分类考评, 物业监管), registered by ``city.bootstrap``."""

from __future__ import annotations

from city.assessment import inspections, registry, round_starts, rounds
from engine.domain.commands import Command
from engine.service.bus import Handler

ASSESSMENT_HANDLERS: dict[type[Command], Handler] = {**registry.HANDLERS, **rounds.HANDLERS, **round_starts.HANDLERS,
                                                     **inspections.HANDLERS}
