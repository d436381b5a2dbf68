"""Assessment rounds API (考评轮次): ``POST /assessment/rounds`` {scheme} starts the scheme's round of the current
period by hand (RUN_ASSESSMENT_ROUNDS: shift leads, supervisors, admins; 409 when the period's round exists, 422
naming ``scheme`` without a checklist or active objects); ``GET /assessment/rounds?scheme=`` lists the rounds with
their counts and ``GET /assessment/rounds/{id}`` gives one with its counts by district and state and its overdue
inspections (READ_ASSESSMENTS)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.assessment import round_views
from city.assessment.commands import StartAssessmentRound
from city.assessment.round_plan import SCHEMES
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Strict
from web.policy import READ_ASSESSMENTS, RUN_ASSESSMENT_ROUNDS

bp = Blueprint("assessment_rounds_api", __name__)


class StartRoundRequest(Strict):
    """The scheme whose round of the current period starts now."""

    scheme = fields.String(required=True, validate=validate.OneOf(SCHEMES))


class StartedRound(Strict):
    """The round opened: its id, case, period, number of objects (one inspection case each) and how many of their
    cases are still to be started (the scheduler starts them in chunks after this answer)."""

    round_id = fields.Integer()
    case_id = fields.Integer()
    case_no = fields.String(allow_none=True)
    period = fields.String()
    objects = fields.Integer()
    pending = fields.Integer()


@bp.post("/assessment/rounds")
@authenticated(RUN_ASSESSMENT_ROUNDS)
def start() -> ResponseReturnValue:
    """Start the scheme's round of the current period now (201)."""
    body, who = StartRoundRequest().load(json_body()), caller()
    result = context.bus().handle(StartAssessmentRound(body["scheme"], who.username, actor_kind=who.actor_kind))
    return jsonify(result), 201


@bp.get("/assessment/rounds")
@authenticated(READ_ASSESSMENTS)
def round_list() -> ResponseReturnValue:
    """The rounds, newest first (``?scheme=``), with their counts."""
    return jsonify({"rounds": round_views.round_list(context.deps(), request.args.get("scheme") or None)})


@bp.get("/assessment/rounds/<int(max=2147483647):round_id>")
@authenticated(READ_ASSESSMENTS)
def one_round(round_id: int) -> ResponseReturnValue:
    """One round: counts, by district, by state, overdue inspections."""
    return jsonify(round_views.one_round(context.deps(), round_id))


ASSESSMENT_ROUND_QUERIES = {
    "/assessment/rounds": [{"name": "scheme", "in": "query", "schema": {"type": "string", "enum": list(SCHEMES)}}],
}
#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
ASSESSMENT_ROUND_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/assessment/rounds", "post", "开始考评 Start the scheme's round of the current period now: one inspection"
     " case per active object (shift leads, supervisors, admins; 409 when the period's round exists, 422 naming"
     " scheme without a checklist or active objects)", StartRoundRequest, 201, StartedRound,
     (400, 401, 403, 409, 422)),
    ("/assessment/rounds", "get", "考评轮次 Rounds newest first (?scheme=) with objects, inspected, open, overdue and"
     " average score", None, 200, None, (401, 403, 422)),
    ("/assessment/rounds/{round_id}", "get", "One round: its counts, by district and by state, and its overdue"
     " inspections", None, 200, None, (401, 403, 404)),
]
