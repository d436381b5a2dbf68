"""The citizens package's hooks on the bus: the 回访's outcome recorded when its task completes."""

from __future__ import annotations

from city.citizens.callback import callback_recorder
from city.citizens.settings import check_sms, citizen_settings
from engine.service.bus import MessageBus


def install(bus: MessageBus) -> None:
    """Add the 回访 step hook (``city.citizens.callback``). The citizens' settings are checked here, at start
    (web app, CLI, scheduler all bootstrap): a bad value stops the process naming it, not a citizen's request."""
    check_sms(citizen_settings())
    bus.deps.step_hooks.append(callback_recorder(bus.deps))
