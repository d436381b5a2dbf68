"""Records of open cases imported from a legacy system (migration 0027)."""

from __future__ import annotations
