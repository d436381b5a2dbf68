"""Records the admin pages keep (migration 0024)."""

from __future__ import annotations
