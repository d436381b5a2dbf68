"""(being written)"""

from __future__ import annotations

from web.pages.admin import bp

__all__ = ["bp"]
