"""(being written)"""

from __future__ import annotations

from web.pages.common import bp

__all__ = ["bp"]
