"""Records of the component (部件) registry (migration 0025)."""

from __future__ import annotations
