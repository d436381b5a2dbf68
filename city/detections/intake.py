"""What the cameras saw: detection records kept for analysis, and each camera rule's precision.

The vision worker never touches the database; it posts records through the API. A record that
raised an alert carries its rule and the case it opened or added evidence to. Whether that case was
a real problem is decided by the seat operator's review (视频审核): a case dispatched or closed
confirms the rule, one voided as a false positive (误报) counts against it.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any

from city import commands as city_commands
from city.intake.report import DETECTION_MESSAGE, LIFECYCLE, SUBTYPE_PATTERN
from city.persistence.repositories.detections import DetectionStore
from engine.domain import commands as c
from engine.domain.errors import InvalidCommand
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import moment_problem, text_problem
from engine.persistence.db import as_utc
from engine.persistence.read import forms as forms_read
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, start_case

_TEXT = {"record_id": 200, "camera_id": 60, "class_name": 40, "zone_id": 60, "rule_id": 60, "subtype": 10,
         "case_no": 24}
_NUMBERS = ("score", "x1", "y1", "x2", "y2")
MAX_RECORDS = 1000
BOX_LIMIT = 1e6  # pixel coordinates: a frame is never a million pixels wide
# a camera alert's detection (the ``video_detection`` message): text fields and their limits
_DETECTION_TEXT = {"camera_id": 60, "image": 200, "rule": 60, "zone": 60, "description": 2000}
REFUSED = "the detection has invalid fields"


def _text_problem(value: Any, limit: int, required: bool) -> str | None:
    if value is None:
        return "required" if required else None
    if not isinstance(value, str) or not value or len(value) > limit:
        return f"must be a string of 1–{limit} characters"
    return text_problem(value)


def _number(value: Any) -> float | None:
    """A finite JSON number as a float; None for anything else (text, booleans, NaN, infinities)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _record_problems(record: dict[str, Any]) -> dict[str, str]:
    """What is wrong with one detection record, by its field."""
    required = ("record_id", "camera_id", "class_name")
    problems = {name: problem for name, limit in _TEXT.items()
                if (problem := _text_problem(record.get(name), limit, name in required))}
    for name in _NUMBERS:
        number = _number(record.get(name))
        if number is None:
            problems[name] = "required: a finite number"
        elif name == "score" and not 0 <= number <= 1:
            problems[name] = "must be from 0 to 1"
        elif name != "score" and abs(number) > BOX_LIMIT:
            problems[name] = f"must be from {-BOX_LIMIT:g} to {BOX_LIMIT:g}"
    dwell, track = record.get("dwell_seconds"), record.get("track_id")
    if dwell is not None and ((number := _number(dwell)) is None or not 0 <= number <= BOX_LIMIT):
        problems["dwell_seconds"] = f"must be a number of seconds from 0 to {BOX_LIMIT:g}"
    if track is not None and (isinstance(track, bool) or not isinstance(track, int) or not 0 <= track < 2**31):
        problems["track_id"] = "must be a whole number from 0 to 2147483647"
    return problems


def _observed(record: dict[str, Any]) -> datetime | str:
    """The record's moment, or what is wrong with it."""
    value = record.get("observed_at")
    try:
        observed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return "required: an ISO moment with its time zone"
    return moment_problem(observed) or observed


def _checked(index: int, record: Any) -> tuple[Any, ...]:
    where = f"detections.{index}"
    if not isinstance(record, dict):
        raise InvalidCommand(f"{where} must be an object", field=where)
    problems = _record_problems(record)
    observed = _observed(record)
    if isinstance(observed, str):
        problems["observed_at"] = observed
    if problems or isinstance(observed, str):
        raise FieldsRejected({f"{where}.{name}": problem for name, problem in problems.items()}, REFUSED)
    numbers = [float(record[name]) for name in _NUMBERS]
    dwell = None if record.get("dwell_seconds") is None else float(record["dwell_seconds"])
    return (record["record_id"], record["camera_id"], observed, record["class_name"], *numbers,
            record.get("track_id"), record.get("zone_id"), dwell, record.get("rule_id"), record.get("subtype"),
            record.get("case_no"))


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


def detection_problems(detection: Any) -> dict[str, str]:
    """What is wrong with a camera alert's detection, by field (``detection.confidence`` …); the subtype's
    existence is checked in the transaction. The lifecycle's own checks come later and are weaker."""
    if not isinstance(detection, dict):
        return {"detection": "detection must be an object"}  # the lifecycle's own words, for every sender
    problems: dict[str, str] = {}
    subtype = detection.get("subtype")
    if not isinstance(subtype, str) or not re.fullmatch(SUBTYPE_PATTERN, subtype):
        problems["subtype"] = "a 4-digit subtype code (ASCII digits)"
    for name, limit in (("lon", 180.0), ("lat", 90.0)):
        number = _number(detection.get(name))
        if number is None or not -limit <= number <= limit:
            problems[name] = f"must be a number from -{limit:g} to {limit:g}"
    confidence = detection.get("confidence")
    if confidence is not None and ((number := _number(confidence)) is None or not 0 <= number <= 1):
        problems["confidence"] = "must be a number from 0 to 1"
    for name, limit in _DETECTION_TEXT.items():
        problem = _text_problem(detection.get(name), limit, required=False)
        if problem is not None:
            problems[name] = problem
    return {f"detection.{name}": problem for name, problem in problems.items()}


def report_detection(cmd: city_commands.ReportDetection, ctx: HandlerContext) -> list[CaseRef]:
    """Check the detection (422 naming every field at fault, an unknown subtype too) and start the lifecycle on
    the ``video_detection`` message, in one transaction; a list, as a message's delivery answers."""
    problems = detection_problems(cmd.detection)
    if problems:
        raise FieldsRejected(problems, REFUSED)

    def subtype_known(store: CaseStore) -> None:
        if not forms_read.subtype_exists(store, cmd.detection["subtype"]):
            raise FieldsRejected({"detection.subtype": f"no subtype {cmd.detection['subtype']}"}, REFUSED)

    start = c.StartCase(LIFECYCLE, {"detection": cmd.detection}, cmd.actor, channel=cmd.channel,
                        external_id=cmd.external_id, start_message=DETECTION_MESSAGE, actor_kind=cmd.actor_kind)
    return [start_case(start, ctx, check=subtype_known)]


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
