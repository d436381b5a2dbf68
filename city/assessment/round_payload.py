"""What a round gives each of its inspection cases (考评检查): the object, the round's period and times, and the
checklist items that apply to the object's kind. B1 writes it (the round's hook), B2's model and hooks read it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from city.persistence.read.assessment_inspections import applicable

WARN_SHARE = 0.8  # the warning comes at 80 % of the period
Row = TypeVar("Row", bound=Mapping[str, Any])


def warn_at(starts_at: datetime, due_at: datetime) -> datetime:
    """The moment ``WARN_SHARE`` of the way from ``starts_at`` to ``due_at``."""
    return starts_at + (due_at - starts_at) * WARN_SHARE


def round_warn_at(starts_at: datetime, due_at: datetime, started_at: datetime) -> datetime:
    """A round's warning: ``WARN_SHARE`` of its period, or of what is left of it when the round started later
    than that (a late start is not warned at once)."""
    warn = warn_at(starts_at, due_at)
    return warn if warn >= started_at else warn_at(started_at, due_at)


def objects_with_items(objects: Sequence[Row], items: Sequence[Mapping[str, Any]]) -> tuple[list[Row], list[Row]]:
    """``objects`` split into those whose kind has an item in the checklist's ``items`` and those left out (nothing
    to inspect: an inspection of no item could never be finished)."""
    kept = [o for o in objects if applicable(items, str(o["kind"]))]
    return kept, [o for o in objects if not applicable(items, str(o["kind"]))]


def _iso(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def payload_object(row: Mapping[str, Any]) -> dict[str, Any]:
    """The ``object`` part of the payload from an ``active_objects`` row."""
    return {"id": int(row["id"]), "code": row["code"], "name": row["name"], "kind": row["kind"],
            "address": row.get("address"), "district": row["district_code"], "street": row.get("street_code"),
            "grid": row.get("grid_code"), "lon": float(row["lon"]), "lat": float(row["lat"]),
            "company": row.get("company_code"), "company_name": row.get("company_name"),
            "department": row.get("department_code")}


def inspection_payload(object_row: Mapping[str, Any], round_row: Mapping[str, Any],
                       items: Sequence[Mapping[str, Any]], inspection_id: int) -> dict[str, Any]:
    """The INSPECTION PAYLOAD of one object's inspection in a round (docs: the assessment design).

    ``object_row``: an ``active_objects`` row (with ``company_code``/``company_name``); ``round_row``: ``{id,
    scheme, period, starts_at, due_at}`` (datetimes or ISO strings; ``warn_at`` taken when given, else 80 % of the
    way); ``items``: the round's checklist (every item: those of the object's kind are kept)."""
    due = round_row["due_at"]
    warn = round_row.get("warn_at")
    if warn is None:
        warn = warn_at(_as_datetime(round_row["starts_at"]), _as_datetime(due))
    return {"inspection_id": int(inspection_id), "round_id": int(round_row["id"]), "scheme": round_row["scheme"],
            "period": round_row["period"], "round_due_at": _iso(due), "warn_at": _iso(warn),
            "object": payload_object(object_row),
            "items": [dict(item) for item in applicable(items, str(object_row["kind"]))]}


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
