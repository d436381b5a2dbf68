"""Reporting a problem (受理): the report's checks and the one builder of the lifecycle's start data.

The API (``POST /cases``), the report page and the demo simulator all send ``ReportProblem``; camera
detections arrive as the ``video_detection`` message, which the lifecycle turns into a report itself
(``detection_message`` builds it for callers inside the engine's process, such as the simulator).
"""

from __future__ import annotations

import math
import re
from typing import Any

from city import commands as city_commands
from engine.domain import commands as c
from engine.domain.forms import FieldsRejected
from engine.persistence.read import forms as forms_read
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import HandlerContext
from engine.service.handlers import CaseRef, start_case

LIFECYCLE = "case_lifecycle"
DETECTION_MESSAGE = "video_detection"
CHANNELS = ("patrol", "census", "video", "hotline", "wechat", "public_opinion", "petition", "media", "leadership",
            "transfer")
URGENCIES = ("normal", "urgent")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SUBTYPE = re.compile(r"^\d{4}$")


def report_payload(cmd: city_commands.ReportProblem) -> dict[str, Any]:
    """The lifecycle's start data for a report."""
    return {"report": {"channel": cmd.channel, "subtype": cmd.subtype_code, "description": cmd.description,
                       "location": {"lon": cmd.lon, "lat": cmd.lat}, "evidence": list(cmd.evidence),
                       "urgency": cmd.urgency, "reporter": cmd.reporter or cmd.actor,
                       "duplicate_of": cmd.duplicate_of}}


def detection_message(detection: dict[str, Any], actor: str, external_id: str | None = None,
                      actor_kind: str = "vision_worker") -> c.SendMessage:
    """The message a camera detection arrives as (``{camera_id, subtype, lon, lat, image, confidence}``)."""
    return c.SendMessage(DETECTION_MESSAGE, {"detection": detection}, actor, channel="video" if external_id else None,
                         external_id=external_id, actor_kind=actor_kind)


def _number(value: Any, low: float, high: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
        and low <= value <= high


def report_problems(cmd: city_commands.ReportProblem) -> dict[str, str]:
    """What is wrong with the report's fields, by field (the database's checks come later)."""
    problems: dict[str, str] = {}
    if not isinstance(cmd.subtype_code, str) or not _SUBTYPE.match(cmd.subtype_code):
        problems["subtype_code"] = "a 4-digit subtype code"
    if not isinstance(cmd.description, str) or not cmd.description.strip():
        problems["description"] = "must not be empty"
    elif len(cmd.description) > 2000:
        problems["description"] = "must be at most 2000 characters"
    for name, limit in (("lon", 180.0), ("lat", 90.0)):
        if not _number(getattr(cmd, name), -limit, limit):
            problems[name] = f"must be a number from -{limit:g} to {limit:g}"
    for name, allowed in (("channel", CHANNELS), ("urgency", URGENCIES)):
        if getattr(cmd, name) not in allowed:
            problems[name] = "must be one of: " + ", ".join(allowed)
    return problems | _evidence_problems(cmd.evidence)


def _evidence_problems(evidence: tuple[str, ...]) -> dict[str, str]:
    if len(evidence) > 20:
        return {"evidence": "at most 20 items"}
    return {f"evidence.{index}": "must be a sha256 (64 hex digits) of an uploaded attachment"
            for index, digest in enumerate(evidence) if not isinstance(digest, str) or not _SHA256.match(digest)}


def report_problem(cmd: city_commands.ReportProblem, ctx: HandlerContext) -> CaseRef:
    """Check the report (422 naming every field at fault) and start the lifecycle case, in one transaction."""
    problems = report_problems(cmd)
    if problems:
        raise FieldsRejected(problems, "the report has invalid fields")

    def subtype_known(store: CaseStore) -> None:
        if not forms_read.subtype_exists(store, cmd.subtype_code):
            raise FieldsRejected({"subtype_code": f"no subtype {cmd.subtype_code}"}, "the report has invalid fields")

    start = c.StartCase(LIFECYCLE, report_payload(cmd), cmd.actor,
                        channel=cmd.channel if cmd.external_id else None, external_id=cmd.external_id,
                        actor_kind=cmd.actor_kind)
    return start_case(start, ctx, check=subtype_known)
