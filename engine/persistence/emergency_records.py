"""Emergency command's tables (应急指挥; city/emergency), migration 0029."""

from __future__ import annotations
