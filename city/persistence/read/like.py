"""Substring filters typed by a user: ``column LIKE ? ESCAPE '\\'`` with the text's own ``%``, ``_`` and ``\\``
escaped, so what is typed is matched literally on both databases."""

from __future__ import annotations

LIKE_ESCAPED = " LIKE ? ESCAPE '\\'"  # after a column: its parameter is a ``like_pattern``


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards and the escape character in ``text`` escaped (``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
