"""``POST /api/v1/rules/evaluate``: the designer's test panel runs a decision table on typed inputs."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.service.rules import evaluate_rules
from web import context
from web.api.auth import authenticated
from web.api.cases import json_body
from web.api.schemas import Strict
from web.policy import READ_PROCESS_MODELS

bp = Blueprint("api_rules", __name__)


class RuleTest(Strict):
    """A DMN file's text, the decision to evaluate and its inputs (a JSON object)."""

    dmn = fields.String(required=True, validate=validate.Length(min=1, max=4_000_000))
    decision = fields.String(required=True, validate=validate.Length(min=1, max=200))
    inputs = fields.Dict(keys=fields.String(), required=True)


class RuleResult(Strict):
    """The decision's outputs and the ids of the rules that matched, in table order."""

    result = fields.Raw(allow_none=True)
    matched_rules = fields.List(fields.String())


@bp.post("/rules/evaluate")
@authenticated(READ_PROCESS_MODELS)
def evaluate() -> ResponseReturnValue:
    """Evaluate a decision of the posted DMN on ``inputs``: its result and the ids of the rules that matched."""
    body = RuleTest().load(json_body())
    budget = context.deps().script_limits.cpu_seconds
    return jsonify(evaluate_rules(body["dmn"], body["decision"], body["inputs"], budget))
