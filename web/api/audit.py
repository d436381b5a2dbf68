"""The auditor's API: find cases to audit, replay one step by step, and verify it was not altered.

Auditors and admins only (403 for everyone else, 404 for an unknown case number).
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError, fields, validate, validates_schema

from engine.domain.input_limits import echo
from engine.domain.summary import case_id_from_no
from engine.persistence.read import cases as case_reads
from engine.service.audit.queries import AuditFilter, audit_cases, replay
from engine.service.drafts import PROCESS_ID
from engine.service.process_starts import process_names
from web import context
from web.api.auth import authenticated
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import READ_AUDIT

CODE = validate.Regexp(r"^[0-9A-Za-z_-]{1,30}$", error="letters, digits, '-' or '_' (at most 30)")
bp = Blueprint("api_audit", __name__)


class AuditQuery(Strict):
    """``GET /audit/cases`` query parameters."""

    department = fields.String(validate=CODE)
    subtype = fields.String(validate=CODE)
    process = fields.String(validate=validate.Regexp(PROCESS_ID, error="a process id"),
                            metadata={"description": "a deployed process's id (422 for one never deployed)"})
    overdue = fields.Boolean(load_default=False)
    reworked = fields.Boolean(load_default=False)
    returned = fields.Boolean(load_default=False)
    since = fields.Date(validate=validate.Range(date(1900, 1, 1), date(2999, 12, 31), error="a date in 1900–2999"))
    until = fields.Date(validate=validate.Range(date(1900, 1, 1), date(2999, 12, 31), error="a date in 1900–2999"))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be before since", "until")


class AuditCase(Strict):
    case_no = fields.String()
    status = fields.String()
    channel = fields.String(allow_none=True)
    subtype = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    counters = fields.Dict(allow_none=True)
    evaluation = fields.Dict(allow_none=True)
    started_at = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)
    process_id = fields.String()
    started_by = fields.String(allow_none=True)


class AuditCaseList(Strict):
    cases = fields.List(fields.Nested(AuditCase))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class ReplayProcess(Strict):
    version_id = fields.Integer()
    process_id = fields.String()
    version = fields.Integer()
    sha256 = fields.String()
    bpmn = fields.String(allow_none=True)


class ReplayView(Strict):
    case_no = fields.String()
    status = fields.String()
    process = fields.Nested(ReplayProcess)
    versions = fields.Dict(keys=fields.String(), values=fields.Nested(ReplayProcess))
    events = fields.List(fields.Dict())
    frames = fields.List(fields.Dict())


class DivergenceView(Strict):
    seq = fields.Integer(allow_none=True)
    event_type = fields.String(allow_none=True)
    field = fields.String()
    expected = fields.Raw(allow_none=True)
    found = fields.Raw(allow_none=True)
    reason = fields.String()


class VerifyView(Strict):
    verified = fields.Boolean()
    events = fields.Integer()
    divergence = fields.Nested(DivergenceView, allow_none=True)
    seconds = fields.Float()


def filter_from(args: Any) -> AuditFilter:
    """An ``AuditFilter`` from query parameters; marshmallow's ValidationError (422 naming the field) when bad."""
    query = AuditQuery().load({k: v for k, v in args.items() if v != ""})
    if query.get("process") is not None and query["process"] not in process_names(context.deps()):
        raise ValidationError({"process": [f"no deployed process {query['process']!r}"]})
    return AuditFilter(**query)


def _case_id(case_no: str) -> int:
    """The case id of a case number that exists; 404 otherwise."""
    case_id = case_id_from_no(case_no)
    if case_id is not None:
        with context.deps().uow(read_only=True) as uow:
            found = case_reads.has_number(uow.store, case_id, case_no)
        if found:
            return case_id
    raise ApiError(404, f"case {echo(case_no, 40)} not found")


def replay_of(case_no: str) -> dict[str, Any]:
    """The replay document of a case: ``{case_no, status, process, versions, events, frames}``; 404 when absent."""
    found = replay(context.deps(), _case_id(case_no))
    if found is None:
        raise ApiError(404, f"case {echo(case_no, 40)} not found")
    return {"case_no": case_no, **{k: found[k] for k in ("status", "process", "versions", "events", "frames")}}


def _plain(value: Any) -> Any:
    """A JSON-safe copy (dates and other objects as text)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def verify_document(case_no: str) -> dict[str, Any]:
    """Run the replay verification of a case (chain, checkpoints, re-run, evidence files in the attachment store):
    ``{verified, events, divergence, seconds}``."""
    case_id = _case_id(case_no)
    try:
        from engine.service.audit.replay import verify_case  # the engine's replay (imported when first used)
    except ImportError as exc:
        raise ApiError(503, "replay verification is not available in this installation") from exc
    result = verify_case(context.deps(), case_id, evidence=context.settings().attachments_dir)
    found = result.divergence
    divergence = asdict(found) if found is not None and is_dataclass(found) else found
    return {"case_no": case_no, "verified": bool(result.verified), "events": result.events,
            "divergence": _plain(divergence), "seconds": round(float(result.seconds), 4)}


@bp.get("/audit/cases")
@authenticated(READ_AUDIT)
def cases() -> ResponseReturnValue:
    """Cases to audit: by department, subtype, overdue, reworked, returned and start period, newest first."""
    return jsonify(audit_cases(context.deps(), filter_from(request.args)))


@bp.get("/cases/<case_no>/replay")
@authenticated(READ_AUDIT)
def case_replay(case_no: str) -> ResponseReturnValue:
    """The case's events, the BPMN of its process version and one replay frame per event."""
    return jsonify(replay_of(case_no))


@bp.post("/cases/<case_no>/replay/verify")
@authenticated(READ_AUDIT)
def verify(case_no: str) -> ResponseReturnValue:
    """Check the hash chain, re-run the case from its recorded inputs and check its evidence files (each
    ``attachment_added`` file in the attachment store, with its recorded sha256); the first divergence if any."""
    return jsonify(verify_document(case_no))
