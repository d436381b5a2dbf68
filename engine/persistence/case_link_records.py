"""Records linking cases to each other: duplicates (migration 0026)."""

from __future__ import annotations
