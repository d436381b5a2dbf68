"""The upper-level exchange's timed runs (placeholder: the exchange fills ``SCHEDULE``)."""

from __future__ import annotations

from typing import Any

SCHEDULE: tuple[tuple[float, Any], ...] = ()
