"""Query-string arguments read the same way everywhere: a whole number within bounds, or 422 naming the argument."""

from __future__ import annotations

from typing import TypeVar

from flask import request

from web.api.errors import ApiError

Default = TypeVar("Default", int, None)
_MOST_DIGITS = 20  # int() of a longer text is refused before it is parsed (a 5,000-digit text raises ValueError)


def whole_arg(name: str, default: Default, low: int, high: int) -> int | Default:
    """The query argument ``name`` as a whole number from ``low`` to ``high`` (ASCII digits only: "²".isdigit() is
    true); ``default`` when absent or empty; 422 naming ``name`` otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= _MOST_DIGITS) or not low <= int(raw) <= high:
        raise ApiError(422, f"{name} must be a whole number from {low} to {high}",
                       {name: f"must be a whole number from {low} to {high}"})
    return int(raw)
