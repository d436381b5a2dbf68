"""Cases: report one (idempotent per channel + external id), read it, its events and its evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request, send_file, url_for
from flask.typing import ResponseReturnValue

from city.commands import ReportDetection, ReportProblem
from city.duplicates.candidates import case_links
from city.history.cases import case_by_no
from city.intake.report import DETECTION_MESSAGE
from engine.domain import commands as c
from engine.domain.input_limits import MAX_DEPTH, echo, text_problem, value_problem
from engine.domain.summary import may_be_case_no
from engine.persistence.read import cases as case_reads
from engine.service.attachments import attachment, attachments_of
from engine.service.queries import case_events
from web import context
from web.api.access import case_visible
from web.api.auth import authenticated, caller
from web.api.errors import ApiError
from web.api.schemas import AttachmentView, CaseCreate, CaseView, EventView, MessageRequest
from web.policy import (
    AMEND_CLOSED_CASES,
    ATTACH_EVIDENCE,
    CREATE_CASES,
    READ_CASES,
    READ_OWN_CASES,
    SEND_MESSAGES,
    allows,
    may_send,
)

bp = Blueprint("api_cases", __name__)


def json_object(read: Callable[[], bytes]) -> dict[str, Any]:
    """The request's JSON object, its bytes from ``read`` (called once the content type is JSON): 400 when it is
    none; 422 when it is nested too deeply for the parser. Its values are not looked at (``json_body`` does)."""
    if not request.is_json:
        raise ApiError(400, "the body must be a JSON object (Content-Type: application/json)")
    try:
        body = json.loads(read())
    except RecursionError:  # the C parser refuses before the stack runs out: the body is absurdly deep
        raise ApiError(422, "the request has invalid fields",
                       {"body": f"must not be nested more than {MAX_DEPTH} levels deep"}) from None
    except ValueError:  # not JSON, not UTF-8, or an integer with thousands of digits
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object (Content-Type: application/json)")
    return body


def json_body() -> dict[str, Any]:
    """The request's JSON object: 400 when it is none; 422 naming the field when a value is one no database
    keeps (NUL, an unpaired surrogate, NaN or Infinity, a too wide integer) or the body is nested too deeply.

    Every API route reads its body here, so this one check guards them all; the commands check again.
    """
    body = json_object(lambda: request.get_data(cache=True))
    problem = value_problem(body)
    if problem is not None:
        raise ApiError(422, "the request has invalid fields", {problem[0]: problem[1]})
    return body


def visible_case(case_no: str) -> dict[str, Any]:
    """The case by number if the caller may see it; 404 otherwise (existence is not revealed); 403 for a role that
    reads no case at all."""
    who = caller()
    if not allows(who, READ_CASES) and not allows(who, READ_OWN_CASES):
        raise ApiError(403, f"role {who.role} may not {READ_CASES.name}")
    bus = context.bus()
    case = case_by_no(bus.deps, case_no, bus.deps.clock.now()) if may_be_case_no(case_no) else None
    if case is None or not case_visible(who, case):
        raise ApiError(404, f"case {echo(case_no, 40)} not found")
    return case


def json_links(links: dict[str, Any] | None) -> dict[str, Any]:
    """A case's duplicate links as JSON: ``duplicate_of`` (a case number or None), ``duplicates`` (numbers) and
    ``reports`` (the case and its duplicates)."""
    if links is None:
        return {"duplicate_of": None, "duplicates": [], "reports": 1}
    return {"duplicate_of": links["duplicate_of"]["case_no"] if links["duplicate_of"] else None,
            "duplicates": [d["case_no"] for d in links["duplicates"]], "reports": links["reports"]}


def case_no_of(case_id: int) -> str:
    with context.deps().uow(read_only=True) as uow:
        number = case_reads.case_no(uow.store, case_id)
    if number is None:
        raise ApiError(404, f"case {case_id} has no summary")
    return number


def filename_problem(name: str) -> str | None:
    """Why an uploaded file's name cannot be kept: control characters (NUL, line breaks: it is sent back in a
    header), unpaired surrogates or more than 255 characters; None when it can."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "must not contain control characters"
    if len(name) > 255:
        return "must be at most 255 characters"
    return text_problem(name)


@bp.post("/cases")
@authenticated(CREATE_CASES)
def create_case() -> ResponseReturnValue:
    """Report a problem: 201 with the new case; the same channel + external_id again → 200, same case."""
    body = CaseCreate().load(json_body())
    who = caller()
    ref = context.bus().handle(ReportProblem(
        body["subtype_code"], body["description"], body["lon"], body["lat"], body["channel"], who.username,
        external_id=body.get("external_id"), reporter=body.get("reporter") or None,
        urgency=body.get("urgency", "normal"), evidence=tuple(body.get("evidence", ())),
        duplicate_of=body.get("duplicate_of"), actor_kind=who.actor_kind))
    case = case_by_no(context.deps(), ref.case_no or case_no_of(ref.case_id), context.deps().clock.now())
    return jsonify(CaseView().dump(case)), 201 if ref.created else 200


@bp.get("/cases/<case_no>")
@authenticated()
def get_case(case_no: str) -> ResponseReturnValue:
    """State, department, deadline, light, counters and ready tasks of a case (READ_CASES within the caller's scope,
    or READ_OWN_CASES: a case the caller started)."""
    case = visible_case(case_no)
    case["attachments"] = attachments_of(context.deps(), case["id"])
    links = case_links(context.deps(), case["id"]) if case.get("id") is not None else None  # duplicates both ways
    # imported: the legacy number, the step it was imported at and the earlier steps' times (None: not imported)
    return jsonify({**CaseView().dump(case), "attachments": case["attachments"],
                    "links": json_links(links), "imported": case.get("imported")})


@bp.get("/cases/<case_no>/events")
@authenticated(READ_CASES)
def get_events(case_no: str) -> ResponseReturnValue:
    """The case's audit events in order (hash-chained)."""
    case = visible_case(case_no)
    return jsonify({"case_no": case_no, "events": EventView(many=True).dump(case_events(context.deps(), case["id"]))})


@bp.post("/cases/<case_no>/attachments")
@authenticated()
def upload(case_no: str) -> ResponseReturnValue:
    """Attach a photo, video or PDF (multipart field ``file``); 201 with its sha256 to cite in forms. The case's
    chain records it (``attachment_added``); a closed case takes it only with ``addendum=true`` and a ``note``, from
    a role that may amend closed cases (422 naming ``addendum`` otherwise)."""
    case = visible_case(case_no)
    if not allows(caller(), ATTACH_EVIDENCE):  # auditors read, they do not change cases
        raise ApiError(403, f"role {caller().role} may not {ATTACH_EVIDENCE.name}")
    sent = request.files.get("file")
    if sent is None:
        raise ApiError(422, "send the file as multipart field 'file'", {"file": "missing"})
    problem = filename_problem(sent.filename or "")
    if problem is not None:  # the name goes back out in a Content-Disposition header on download
        raise ApiError(422, f"the file name {problem}", {"file": f"the file name {problem}"})
    flag = request.form.get("addendum", "false").strip().lower()  # evidence for a closed case, with a note why
    if flag not in ("true", "false", "1", "0"):
        raise ApiError(422, "addendum must be true or false", {"addendum": "must be true or false"})
    who, addendum = caller(), flag in ("true", "1")
    if addendum and not allows(who, AMEND_CLOSED_CASES):
        raise ApiError(403, f"role {who.role} may not {AMEND_CLOSED_CASES.name}")
    settings = context.settings()
    limit = int(settings.max_upload_mb * 1024 * 1024)
    stored = context.bus().handle(c.UploadAttachment(settings.attachments_dir, case["id"], sent.filename or "",
                                                     sent.stream.read(limit + 1), who.username, limit,
                                                     addendum=addendum, note=request.form.get("note", ""),
                                                     actor_kind=who.actor_kind))
    stored["url"] = url_for("api_cases.download", case_no=case_no, digest=stored["sha256"])
    return jsonify(AttachmentView().dump(stored)), 201


@bp.get("/cases/<case_no>/attachments/<digest>")
@authenticated(READ_CASES)
def download(case_no: str, digest: str) -> ResponseReturnValue:
    """An attachment's bytes with their real content type."""
    case = visible_case(case_no)
    found = attachment(context.deps(), case["id"], digest) if len(digest) == 64 else None
    if found is None:
        raise ApiError(404, f"attachment {digest} not found")
    path = context.settings().attachments_dir / digest[:2] / digest
    inline = found["content_type"].startswith("image/")
    response = send_file(path, mimetype=found["content_type"], as_attachment=not inline,
                         download_name=found["filename"], max_age=3600)
    response.cache_control.public = False  # evidence is for signed-in eyes: no shared caches
    response.cache_control.private = True
    return response


@bp.post("/messages")
@authenticated(SEND_MESSAGES)
def send_message() -> ResponseReturnValue:
    """Deliver a BPMN message: into waiting cases that correlate, else start the processes it starts."""
    body = MessageRequest().load(json_body())
    if not may_send(caller(), body["name"]):  # the vision worker sends its detections only
        raise ApiError(403, f"role {caller().role} may not send the message {body['name']!r}")
    external = body.get("external_id")
    channel = "api" if external else None
    if body["name"] == DETECTION_MESSAGE:  # a camera alert: the city checks the detection before it starts a case
        unknown = sorted(set(body["payload"]) - {"detection"})
        if unknown:
            raise ApiError(422, "the request has invalid fields", {f"payload.{unknown[0]}": "unknown field"})
        command: c.Command = ReportDetection(body["payload"].get("detection"), caller().username, channel=channel,
                                             external_id=external, actor_kind=caller().actor_kind)
    else:
        command = c.SendMessage(body["name"], body["payload"], caller().username, body["correlation"],
                                channel=channel, external_id=external, actor_kind=caller().actor_kind)
    refs = context.bus().handle(command)
    return jsonify({"cases": [ref.case_no or case_no_of(ref.case_id) for ref in refs]}), 200
