"""Reading the citizens' forms: text fields, coordinates and photos into the commands' types; bad input is a 422
naming the field (the commands check again what they are given)."""

from __future__ import annotations

import math

from flask import request

from city.citizens.commands import CitizenPhoto
from engine.domain.errors import InvalidCommand

MAX_PHOTOS = 3
MAX_TEXT = 2000  # a form field longer than any the commands keep is refused before it reaches them


def text(name: str, *, required: bool = False) -> str:
    """The form (or JSON) field ``name`` as text; 422 naming it when required and empty, or too long."""
    body = request.get_json(silent=True) if request.is_json else None
    value = body.get(name, "") if isinstance(body, dict) else request.form.get(name, "")
    if not isinstance(value, str):
        raise InvalidCommand(f"{name} must be text", field=name)
    value = value.strip()
    if required and not value:
        raise InvalidCommand(f"{name} is required", field=name)
    if len(value) > MAX_TEXT:
        raise InvalidCommand(f"{name} is too long (at most {MAX_TEXT} characters)", field=name)
    return value


def coordinate(name: str, low: float, high: float) -> float:
    """A longitude or latitude field: a plain decimal in [low, high]; 422 naming it otherwise."""
    raw = text(name, required=True)
    if len(raw) > 30 or not raw.isascii():
        raise InvalidCommand(f"{name} must be a decimal number", field=name)
    try:
        value = float(raw)
    except ValueError:
        raise InvalidCommand(f"{name} must be a decimal number", field=name) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidCommand(f"{name} must be between {low} and {high}", field=name)
    return value


def photos() -> tuple[CitizenPhoto, ...]:
    """The uploaded ``photos`` (at most three); 422 ``photos`` for more."""
    files = [f for f in request.files.getlist("photos") if f.filename or f.mimetype]
    if len(files) > MAX_PHOTOS:
        raise InvalidCommand(f"at most {MAX_PHOTOS} photos", field="photos")
    return tuple(CitizenPhoto(data=f.read(), filename=(f.filename or "photo.jpg")[:100]) for f in files)
