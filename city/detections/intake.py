"""What the cameras saw: detection records kept for analysis, and each camera rule's precision.

The vision worker never touches the database; it posts records through the API. A record that
raised an alert carries its rule and the case it opened or added evidence to. Whether that case was
a real problem is decided by the seat operator's review (视频审核): a case dispatched or closed
confirms the rule, one voided as a false positive (误报) counts against it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from city import commands as city_commands
from city.persistence.repositories.detections import DetectionStore
from engine.domain.errors import InvalidCommand
from engine.persistence.db import as_utc
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

_TEXT = {"record_id": 200, "camera_id": 60, "class_name": 40, "zone_id": 60, "rule_id": 60, "subtype": 10,
         "case_no": 24}
_NUMBERS = ("score", "x1", "y1", "x2", "y2")
MAX_RECORDS = 1000


def _checked(index: int, record: Any) -> tuple[Any, ...]:
    where = f"detections[{index}]"
    if not isinstance(record, dict):
        raise InvalidCommand(f"{where} must be an object", field=where)
    for name, limit in _TEXT.items():
        value = record.get(name)
        required = name in ("record_id", "camera_id", "class_name")
        if (value is None and required) or (value is not None and (not isinstance(value, str) or not value
                                                                   or len(value) > limit)):
            raise InvalidCommand(f"{where}.{name} must be a string of 1–{limit} characters", field=f"{where}.{name}")
    try:
        numbers = [float(record[name]) for name in _NUMBERS]
        observed = datetime.fromisoformat(str(record["observed_at"]))
        dwell = None if record.get("dwell_seconds") is None else float(record["dwell_seconds"])
        track = None if record.get("track_id") is None else int(record["track_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidCommand(f"{where}: score, box (x1, y1, x2, y2) and observed_at (ISO time) are needed: {exc}",
                             field=where) from None
    if observed.tzinfo is None:
        raise InvalidCommand(f"{where}.observed_at needs a time zone", field=f"{where}.observed_at")
    return (record["record_id"], record["camera_id"], observed, record["class_name"], *numbers, track,
            record.get("zone_id"), dwell, record.get("rule_id"), record.get("subtype"), record.get("case_no"))


def record_detections(cmd: city_commands.RecordDetections, ctx: HandlerContext) -> dict[str, int]:
    """Store the records (all or nothing); returns how many were new and how many were already kept."""
    deps: Deps = ctx.deps
    if len(cmd.records) > MAX_RECORDS:
        raise InvalidCommand(f"at most {MAX_RECORDS} detections per call", field="detections")
    rows = [_checked(i, r) for i, r in enumerate(cmd.records)]
    now = deps.clock.now()
    with deps.uow() as uow:
        known = uow.repository(DetectionStore).known([r[0] for r in rows])
        rows = [r for r in rows if r[0] not in known]
        uow.repository(DetectionStore).add(rows, now, cmd.actor)
    return {"stored": len(rows), "duplicates": len(cmd.records) - len(rows)}


def _outcome(status: str, department: str | None, evaluation: str | None) -> str:
    facts = json.loads(evaluation) if evaluation else {}
    if facts.get("result") == "voided":  # a duplicate or out-of-scope void is not the rule's mistake
        return "false_positives" if facts.get("false_positive") or facts.get("void_reason") == "invalid" else "other"
    if facts.get("result") == "closed" or department is not None:
        return "confirmed"
    return "pending" if status == "running" else "other"


def rule_precision(deps: Deps, since: datetime | None = None) -> list[dict[str, Any]]:
    """Per camera and rule: alerts (cases), confirmed, false positives, pending, other (voided as duplicate or
    out of scope) and precision = confirmed / (confirmed + false positives)."""
    with deps.uow(read_only=True) as uow:
        rows = uow.repository(DetectionStore).alert_cases()
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for camera, rule, _case, first_seen, status, department, evaluation in rows:
        if since is not None and (as_utc(first_seen) or since) < since:
            continue
        entry = table.setdefault((camera, rule), {"camera_id": camera, "rule_id": rule, "cases": 0,
                                                  "confirmed": 0, "false_positives": 0, "pending": 0,
                                                  "other": 0})
        entry["cases"] += 1
        entry[_outcome(status, department, evaluation)] += 1
    for entry in table.values():
        decided = entry["confirmed"] + entry["false_positives"]
        entry["precision"] = round(entry["confirmed"] / decided, 3) if decided else None
    return list(table.values())
