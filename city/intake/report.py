"""Reporting a problem (受理): the report's checks and the one builder of the lifecycle's start data.

The API (``POST /cases``), the report page and the demo simulator all send ``ReportProblem``; camera
detections arrive as the ``video_detection`` message, which the lifecycle turns into a report itself; the
message is sent as ``ReportDetection`` (``detection_message`` builds it), whose handler checks it first.
"""

from __future__ import annotations

import math
import re
from typing import Any

from city import commands as city_commands
from city.package.profile import DEFAULT_CHANNELS, channel_codes
from city.persistence.read import intake as intake_read
from engine.domain import commands as c
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import text_problem
from engine.domain.summary import case_id_from_no, may_be_case_no
from engine.persistence.read import forms as forms_read
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import HandlerContext
from engine.service.handlers import CaseRef, Started, start_case

LIFECYCLE = "case_lifecycle"
DETECTION_MESSAGE = "video_detection"
# The channels of a database no city package was loaded into; a loaded city's are its ``channels`` table, checked
# in the report's transaction (``stored_problems``).
CHANNELS = tuple(c["code"] for c in DEFAULT_CHANNELS)
CHANNEL_CHARS = 30
# Channels only the system sets (its own code starts those cases, never through a report): 考评整改 rectifications
# (city.assessment.inspection_hooks, which skip 核实) and GPS alerts (city.transport.alerts). A report naming one
# is refused. 普查 (census) stays a reporter's channel: collectors and the simulator report with it by hand.
# The public intake's channels are the system's too: 市民上报 (the citizen page), Open311 apps, 上级交办 (the
# upper-level platform's assigned cases) and 回访重办 (a case reopened after a citizen's callback) start through
# ``report_problem(…, system=True)`` with the caller's own checks (a confirmed phone, an api key, a signed order).
SYSTEM_CHANNELS = ("assessment", "gps", "citizen", "open311", "upper_level", "callback")
URGENCIES = ("normal", "urgent")
SUBTYPE_PATTERN = "^[0-9]{4}$"  # ASCII digits: \d would take ٠٦٠١ (Arabic-Indic) and ０６０１ (full-width) too
SHA256_PATTERN = "^[0-9a-f]{64}$"
DESCRIPTION_CHARS, REPORTER_CHARS, EXTERNAL_ID_CHARS, MAX_EVIDENCE = 2000, 200, 200, 20
_SHA256 = re.compile(SHA256_PATTERN)
_SUBTYPE = re.compile(SUBTYPE_PATTERN)
REFUSED = "the report has invalid fields"


def report_payload(cmd: city_commands.ReportProblem) -> dict[str, Any]:
    """The lifecycle's start data for a report."""
    return {"report": {"channel": cmd.channel, "subtype": cmd.subtype_code, "description": cmd.description,
                       "location": {"lon": cmd.lon, "lat": cmd.lat}, "evidence": list(cmd.evidence),
                       "urgency": cmd.urgency, "reporter": cmd.reporter or cmd.actor,
                       "duplicate_of": cmd.duplicate_of}}


def detection_message(detection: dict[str, Any], actor: str, external_id: str | None = None,
                      actor_kind: str = "vision_worker") -> city_commands.ReportDetection:
    """The command a camera detection arrives as (``{camera_id, subtype, lon, lat, image, confidence}``): the
    ``video_detection`` message, checked first (``city.detections.intake.report_detection``)."""
    return city_commands.ReportDetection(detection, actor, channel="video" if external_id else None,
                                         external_id=external_id, actor_kind=actor_kind)


def _number(value: Any, low: float, high: float) -> bool:
    # an int is compared exactly (math.isfinite would overflow on a 5,000-digit one); a float must be finite
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and (isinstance(value, int) or math.isfinite(value)) and low <= value <= high


def _text(value: Any, limit: int, *, required: bool) -> str | None:
    """What is wrong with a text field (None: nothing); an optional one may be None."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        return "must not be empty" if required and isinstance(value, str) else "must be text"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return text_problem(value)


def report_problems(cmd: city_commands.ReportProblem, *, system: bool = False) -> dict[str, str]:
    """What is wrong with the report's fields, by field; what needs the database (the subtype, the case a
    duplicate names, the evidence's uploads) is checked by ``report_problem`` in its transaction.

    This is the one check of a report's values: the API's schema and the page only parse types. ``system``: the
    system's own intake (a citizen's, an Open311 app's, another system's report), whose channel may be a system one.
    """
    problems: dict[str, str] = {}
    if not isinstance(cmd.subtype_code, str) or not _SUBTYPE.fullmatch(cmd.subtype_code):
        problems["subtype_code"] = "a 4-digit subtype code (ASCII digits)"
    texts = (("description", DESCRIPTION_CHARS, True), ("reporter", REPORTER_CHARS, False),
             ("external_id", EXTERNAL_ID_CHARS, False))
    for name, limit, required in texts:
        problem = _text(getattr(cmd, name), limit, required=required)
        if problem is not None:
            problems[name] = problem
    if cmd.duplicate_of is not None and not (isinstance(cmd.duplicate_of, str) and may_be_case_no(cmd.duplicate_of)):
        problems["duplicate_of"] = "must be the number of an existing case"
    for name, bound in (("lon", 180.0), ("lat", 90.0)):
        if not _number(getattr(cmd, name), -bound, bound):
            problems[name] = f"must be a number from -{bound:g} to {bound:g}"
    if cmd.urgency not in URGENCIES:
        problems["urgency"] = "must be one of: " + ", ".join(URGENCIES)
    if not isinstance(cmd.channel, str) or not cmd.channel or len(cmd.channel) > CHANNEL_CHARS:
        problems["channel"] = f"must be a channel code (1–{CHANNEL_CHARS} characters)"
    elif cmd.channel in SYSTEM_CHANNELS and not system:
        problems["channel"] = f"channel {cmd.channel!r} is set by the system only"
    return problems | _evidence_problems(cmd.evidence)


def _evidence_problems(evidence: Any) -> dict[str, str]:
    if not isinstance(evidence, tuple | list):
        return {"evidence": "must be a list of sha256 hashes"}
    if len(evidence) > MAX_EVIDENCE:
        return {"evidence": f"at most {MAX_EVIDENCE} items"}
    return {f"evidence.{index}": "must be a sha256 (64 hex digits) of an uploaded attachment"
            for index, digest in enumerate(evidence) if not isinstance(digest, str) or not _SHA256.fullmatch(digest)}


def _channel_problem(store: CaseStore, channel: str) -> dict[str, str]:
    """``{"channel": …}`` when the city has no active channel ``channel`` (its package's, or the default list)."""
    channels = channel_codes(store)
    return {} if channel in channels else {"channel": "must be one of: " + ", ".join(channels)}


def stored_problems(store: CaseStore, cmd: city_commands.ReportProblem, *, system: bool = False) -> dict[str, str]:
    """What the database says is wrong: a channel the city has not (or no more; not checked for the ``system``'s
    own intake), an unknown subtype, a duplicate of no case, evidence never uploaded."""
    problems = {} if system else _channel_problem(store, cmd.channel)
    if not forms_read.subtype_exists(store, cmd.subtype_code):
        problems["subtype_code"] = f"no subtype {cmd.subtype_code}"
    if cmd.duplicate_of is not None and not intake_read.case_exists(store, cmd.duplicate_of,
                                                                    case_id_from_no(cmd.duplicate_of)):
        problems["duplicate_of"] = f"no case {cmd.duplicate_of}"
    found = intake_read.uploaded(store, set(cmd.evidence))
    problems |= {f"evidence.{index}": "not an uploaded attachment" for index, digest in enumerate(cmd.evidence)
                 if digest not in found}
    return problems


def report_problem(cmd: city_commands.ReportProblem, ctx: HandlerContext, *, system: bool = False,
                   then: Started | None = None) -> CaseRef:
    """Check the report (422 naming every field at fault) and start the lifecycle case, in one transaction.

    ``system``: the system's own intake (``report_problems``); ``then(uow, case_id, case_no)``: the caller's own rows,
    written in the same transaction once the case started (not when ``external_id`` names a case already started).
    """
    problems = report_problems(cmd, system=system)
    if problems:
        if "channel" not in problems and not system:  # every field at fault at once: the channel is the city's
            with ctx.deps.uow(read_only=True) as uow:
                problems |= _channel_problem(uow.store, cmd.channel)
        raise FieldsRejected(problems, REFUSED)

    def known(store: CaseStore) -> None:
        found = stored_problems(store, cmd, system=system)
        if found:
            raise FieldsRejected(found, REFUSED)

    start = c.StartCase(LIFECYCLE, report_payload(cmd), cmd.actor,
                        channel=cmd.channel if cmd.external_id else None, external_id=cmd.external_id,
                        actor_kind=cmd.actor_kind)
    return start_case(start, ctx, check=known, then=then)
