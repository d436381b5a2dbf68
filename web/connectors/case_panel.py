"""The case page's panel of a transferred work order (12345 热线转办): the sender, their order id and deadline (kept
and shown; the city's own time limits are the lifecycle's) and the pushes sent back."""

from __future__ import annotations

from typing import Any

from city.connectors import views
from web.context import deps


def transfer_panel(case: dict[str, Any]) -> dict[str, Any] | None:
    """The panel's data; None for a case no other system transferred."""
    return views.transfer(deps(), int(case["id"]))
