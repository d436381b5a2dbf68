"""The designer's tools: a timer's due time for sample data, the task forms of the workflows folder, and moving
running cases to a new version."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from designer.timer_preview import KINDS, preview_timer
from engine.bpmn.form_files import folder_form_text, is_form_file
from engine.domain.input_limits import ECHO_CHARS, echo
from engine.service.migration import migrate_cases
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import Moment, Strict
from web.policy import DESIGN_PROCESSES

bp = Blueprint("api_designer_tools", __name__)


class TimerPreview(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    expression = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    at = Moment(load_default=None)


class MigrateRequest(Strict):
    to = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    dry_run = fields.Boolean(load_default=True)


@bp.post("/processes/timer-preview")
@authenticated(DESIGN_PROCESSES)
def timer_preview() -> ResponseReturnValue:
    """When a timer definition would fire for sample task data (at ``at``, default now)."""
    body = TimerPreview().load(json_body())
    now: datetime = body["at"] or context.deps().clock.now()
    try:
        preview = preview_timer(body["kind"], body["expression"], body["data"], now, context.deps().script_helpers,
                                context.deps().script_limits)
    except ValueError as exc:  # its message may repeat the expression or the data: a few hundred characters
        message = echo(str(exc), ECHO_CHARS)
        raise ApiError(422, message, {"expression": message}) from None
    return jsonify({**preview, "at": now.isoformat()})


@bp.get("/processes/forms/<name>")
@authenticated(DESIGN_PROCESSES)
def folder_form(name: str) -> ResponseReturnValue:
    """A task form of workflows/forms (``name``: ``x.json``) with its text, to edit it as a draft; 404 otherwise."""
    reference = f"forms/{name}"
    text = folder_form_text(Path(context.settings().workflows_dir), reference) if is_form_file(reference) else None
    if text is None:
        raise ApiError(404, f"no form {reference}")
    return jsonify({"name": reference, "content": text})


@bp.post("/processes/<process_id>/migrate")
@authenticated(DESIGN_PROCESSES)
def migrate(process_id: str) -> ResponseReturnValue:
    """Move the process's running cases to version ``to`` where safe (``dry_run``, the default, only plans)."""
    body = MigrateRequest().load(json_body())
    plans = migrate_cases(context.bus(), process_id, body["to"], caller().username,
                          dry_run=body["dry_run"])
    return jsonify({"process_id": process_id, "to": body["to"], "dry_run": body["dry_run"],
                    "cases": [{"case_id": p.case_id, "case_no": p.case_no, "from": p.from_version, "safe": p.safe,
                               "reasons": list(p.reasons), "migrated": p.migrated, "outcome": p.outcome,
                               "form_changes": list(p.form_changes)}
                              for p in plans]})
