"""The upper-level platform's configuration (a ``connector_configs`` row of kind ``upper_level``)."""

from __future__ import annotations

from typing import Any


def config_problems(config: dict[str, Any]) -> dict[str, str]:
    """What is wrong with an upper_level connector's configuration, by field (``{}``: nothing). The connectors'
    loader (``city.connectors``) calls it for each connector of kind ``upper_level``. Placeholder: the exchange fills
    it."""
    return {}
