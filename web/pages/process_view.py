"""What the pages show of a case of any process other than the lifecycle: its process by name and its data as
rows (the lifecycle's pages read well-known fields — report, subtype, district, department — that other processes
do not have; ``engine.domain.summary``)."""

from __future__ import annotations

import json
from typing import Any

from city.intake.report import LIFECYCLE
from engine.service.deps import Deps
from engine.service.process_starts import version_settings

MAX_ROWS = 200  # a case's data shown as at most this many rows (the rest is summed up in one)
VALUE_CHARS = 500


def is_lifecycle(case: dict[str, Any] | None) -> bool:
    """Whether the case is the lifecycle's (or an imported history case, shown by the lifecycle's page)."""
    return case is None or case.get("source") == "history" or case.get("process_id") == LIFECYCLE


def process_of(deps: Deps, case: dict[str, Any]) -> dict[str, Any]:
    """The case's process: id, name and version number as the case runs it."""
    settings = version_settings(deps, case["process_version_id"]) if case.get("process_version_id") else None
    return {"id": case.get("process_id"), "name": settings.name if settings else case.get("process_id"),
            "description": settings.description if settings else ""}


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + "…"


def data_rows(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """The case's data as (dotted field, value) rows, nested objects opened, in key order."""
    rows: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        return [(prefix, _text(data))] if prefix else []
    for key in sorted(data):
        path = f"{prefix}.{key}" if prefix else str(key)
        value = data[key]
        rows.extend(data_rows(value, path) if isinstance(value, dict) and value else [(path, _text(value))])
    if not prefix and len(rows) > MAX_ROWS:
        return [*rows[:MAX_ROWS], ("…", f"+{len(rows) - MAX_ROWS}")]
    return rows
