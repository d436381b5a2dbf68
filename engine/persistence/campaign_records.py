"""Census campaigns' tables (专项普查; city/campaigns), migration 0028."""

from __future__ import annotations
