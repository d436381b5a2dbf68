"""Emergency command's pages (应急指挥): declare, assembly acknowledgement and check-in (phone),
command dashboard, after-action report."""

from __future__ import annotations

from web.pages.common import bp  # noqa: F401 (the pages' routes join the common blueprint)
