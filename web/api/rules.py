"""``POST /api/v1/rules/evaluate``: the designer's test panel runs a decision (any kind) or decision service on
typed inputs."""

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
    """A DMN file's text, the decision or decision service to evaluate (id or name) and its inputs (a JSON
    object: input data by name, and names its expressions read)."""

    dmn = fields.String(required=True, validate=validate.Length(min=1, max=4_000_000))
    decision = fields.String(required=True, validate=validate.Length(min=1, max=200))
    inputs = fields.Dict(keys=fields.String(), required=True)


class RuleResult(Strict):
    """The decision's outputs, the ids of the rules that matched (in table order), what went wrong, and which
    decision ran (its id and kind: decisionTable, literalExpression, context… or decisionService)."""

    result = fields.Raw(allow_none=True)
    matched_rules = fields.List(fields.String())
    messages = fields.List(fields.String())
    decision = fields.String()
    kind = fields.String()


@bp.post("/rules/evaluate")
@authenticated(READ_PROCESS_MODELS)
def evaluate() -> ResponseReturnValue:
    """Evaluate a decision or decision service of the posted DMN on ``inputs``: its result, the ids of the rules
    that matched and the evaluation's messages."""
    body = RuleTest().load(json_body())
    limits = context.deps().script_limits
    return jsonify(evaluate_rules(body["dmn"], body["decision"], body["inputs"], limits.cpu_seconds,
                                  limits.memory_bytes))
