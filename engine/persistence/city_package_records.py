"""Records of the city package: the city profile, channels and streets (migration 0023)."""

from __future__ import annotations
