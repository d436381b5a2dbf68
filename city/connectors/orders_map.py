"""``map_order``: a work order's fields through its connector's ``inbound`` config (``city.connectors.orders``)."""

from __future__ import annotations

from typing import Any

from city.connectors.gcj02 import to_wgs84
from city.connectors.orders import (
    CONTENT_CHARS,
    ORDER_ID_CHARS,
    REFUSED,
    SHORT_CHARS,
    MappedOrder,
    at_path,
    deadline_value,
    number_value,
    text_value,
)
from engine.domain.forms import FieldsRejected


class _Problems(dict[str, str]):
    def add(self, path: str, ours: str, message: str) -> None:
        self[path] = f"{ours}: {message}"


def _subtype(category: str, inbound: dict[str, Any]) -> str | None:
    return inbound.get("category_map", {}).get(category) or inbound.get("default_subtype")


def _texts(order: dict[str, Any], field_map: dict[str, str], problems: _Problems) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for ours, limit in (("order_id", ORDER_ID_CHARS), ("content", CONTENT_CHARS), ("category", 60)):
        found[ours], problem = text_value(at_path(order, field_map[ours]), limit)
        if problem:
            problems.add(field_map[ours], ours, problem)
    for ours in ("address", "caller_name", "caller_phone", "urgency"):
        value = at_path(order, field_map[ours]) if ours in field_map else None
        found[ours], problem = (None, None) if value in (None, "") else text_value(value, SHORT_CHARS)
        if problem:
            problems.add(field_map[ours], ours, problem)
    return found


def _description(texts: dict[str, str | None]) -> str:
    """The content, with the address and caller the sender gave (the seat operators read them on the case)."""
    lines = [str(texts["content"])]
    if texts["address"]:
        lines.append(f"地址 Address: {texts['address']}")
    caller = " ".join(t for t in (texts["caller_name"], texts["caller_phone"]) if t)
    if caller:
        lines.append(f"来电人 Caller: {caller}")
    return "\n".join(lines)[:CONTENT_CHARS]


def map_order(order: dict[str, Any], inbound: dict[str, Any]) -> MappedOrder:
    """The order in our terms; FieldsRejected naming every field at fault (their path → "ours: message")."""
    field_map, problems = inbound["field_map"], _Problems()
    texts = _texts(order, field_map, problems)
    lon, lon_problem = number_value(at_path(order, field_map["lon"]), 180.0)
    lat, lat_problem = number_value(at_path(order, field_map["lat"]), 90.0)
    for ours, problem in (("lon", lon_problem), ("lat", lat_problem)):
        if problem:
            problems.add(field_map[ours], ours, problem)
    deadline, problem = deadline_value(at_path(order, field_map["deadline"]), inbound.get("deadline_format", "iso8601"))
    if problem:
        problems.add(field_map["deadline"], "deadline", problem)
    subtype = _subtype(texts["category"], inbound) if texts["category"] else None
    if texts["category"] and subtype is None:
        problems.add(field_map["category"], "category", f"no subtype is mapped for category {texts['category']!r}")
    urgency = inbound.get("urgency_map", {}).get(texts["urgency"], "normal") if texts["urgency"] else "normal"
    if problems:
        raise FieldsRejected(dict(problems), REFUSED)
    assert lon is not None and lat is not None and deadline is not None and subtype is not None
    if inbound.get("coordinates", "wgs84") == "gcj02":
        lon, lat = to_wgs84(lon, lat)
    return MappedOrder(str(texts["order_id"]), subtype, _description(texts), lon, lat, deadline, urgency, order)
