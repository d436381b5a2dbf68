"""Census campaigns' pages (专项普查): the collector's sweep of a grid (phone-sized), progress map, report."""

from __future__ import annotations

from web.pages.common import bp  # noqa: F401 (the pages' routes join the common blueprint)
