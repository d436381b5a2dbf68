"""A transferred work order mapped to a report by its connector's ``inbound`` config (docs/connectors.md): each
missing or invalid field is named by THEIR path and OUR field (``"area.lng": "lon: must be a number"``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from city.connectors import json_input
from engine.domain.city_zone import city_zone
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import text_problem

MAX_BODY_BYTES = 256 * 1024
ORDER_ID_CHARS, CONTENT_CHARS, SHORT_CHARS = 100, 2000, 200
REFUSED = "the work order has invalid fields"
DEADLINE_YEARS = (2000, 2100)  # a work order's deadline outside them is a sender's mistake


@dataclass(frozen=True)
class MappedOrder:
    """A work order in our terms."""

    order_id: str
    subtype: str
    description: str
    lon: float
    lat: float
    deadline: datetime
    urgency: str
    received: dict[str, Any]


def read_body(body: bytes) -> dict[str, Any]:
    """The order's JSON object; FieldsRejected naming ``body`` when it is none."""
    if len(body) > MAX_BODY_BYTES:
        raise FieldsRejected({"body": f"must be at most {MAX_BODY_BYTES} bytes"}, "the work order is too large")
    try:
        value = json_input.loads(body)
    except ValueError as exc:
        raise FieldsRejected({"body": f"is not valid JSON: {str(exc)[:200]}"}, "the work order is not JSON") from exc
    if not isinstance(value, dict):
        raise FieldsRejected({"body": "must be a JSON object"}, "the work order is not a JSON object")
    return value


def at_path(order: dict[str, Any], path: str) -> Any:
    value: Any = order
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def text_value(value: Any, limit: int) -> tuple[str | None, str | None]:
    """(text, problem): numbers become text (an order id is often a number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None, "must be non-empty text"
    if len(value) > limit:
        return None, f"must be at most {limit} characters"
    problem = text_problem(value)
    return (None, problem) if problem else (value.strip(), None)


def number_value(value: Any, bound: float) -> tuple[float | None, str | None]:
    if isinstance(value, str):  # many senders send coordinates as text
        try:
            value = float(value) if value.isascii() and len(value) <= 30 else None
        except ValueError:
            value = None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) \
            or not -bound <= value <= bound:
        return None, f"must be a number from -{bound:g} to {bound:g}"
    return float(value), None


def deadline_value(value: Any, fmt: str) -> tuple[datetime | None, str | None]:
    """(deadline, problem): a date and time in ``fmt`` (without an offset: the city's zone), in the years
    ``DEADLINE_YEARS``; converted to UTC here so a date at the edge of the calendar is refused, not a 500 when the
    database stamps it."""
    wrong = "must be a date and time" + (" (ISO 8601)" if fmt == "iso8601" else f" ({fmt})")
    if not isinstance(value, str) or len(value) > 40 or not value.isascii():
        return None, wrong
    try:
        moment = datetime.fromisoformat(value) if fmt == "iso8601" else datetime.strptime(value, fmt)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=city_zone())).astimezone(UTC)
    except (ValueError, OverflowError):
        return None, wrong + f" from {DEADLINE_YEARS[0]} to {DEADLINE_YEARS[1]}"
    if not DEADLINE_YEARS[0] <= moment.year <= DEADLINE_YEARS[1]:
        return None, f"must be a date and time from {DEADLINE_YEARS[0]} to {DEADLINE_YEARS[1]}"
    return moment, None
