"""The Open311 area's settings, from the environment (``GRIDCASE_OPEN311_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_KEY_PER_MINUTE, DEFAULT_READS_PER_MINUTE = 60, 120
MAX_PER_MINUTE = 100_000


def _whole(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_PER_MINUTE:
        raise ValueError(f"{name} must be a whole number from 1 to {MAX_PER_MINUTE}, not {text!r}")
    return int(text)


@dataclass(frozen=True)
class Open311Settings:
    """``jurisdiction``: the jurisdiction_id apps may send (empty: the city profile's name); the default per-key
    POST limit and the per-address read limit (a minute's requests)."""

    jurisdiction: str
    key_per_minute: int
    reads_per_minute: int

    @classmethod
    def from_env(cls) -> Open311Settings:
        """The settings the environment gives (read at each use: tests and admins may change them)."""
        return cls(os.environ.get("GRIDCASE_OPEN311_JURISDICTION", "").strip(),
                   _whole("GRIDCASE_OPEN311_KEY_PER_MINUTE", DEFAULT_KEY_PER_MINUTE),
                   _whole("GRIDCASE_OPEN311_READS_PER_MINUTE", DEFAULT_READS_PER_MINUTE))
