"""转执法 through the API: ``POST /cases/{case_no}/enforcement`` sends TransferToEnforcement, the command the case
page's button and ``gridcase enforcement transfer`` send, so all refuse the same things (403 who may not, 404 no such
case, 409 closed, voided or under enforcement already, 422 naming the field)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from city.enforcement.commands import TransferToEnforcement
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.policy import TRANSFER_TO_ENFORCEMENT

bp = Blueprint("enforcement_transfer_api", __name__)


class TransferRequest(Schema):
    """Body of ``POST /cases/{case_no}/enforcement``: why the case goes to enforcement (移送理由)."""

    reason = fields.String(required=True, metadata={"maxLength": 2000})


class Transferred(Schema):
    """The enforcement case started: its row's id, its case's number, the team working it."""

    enforcement_id = fields.Integer()
    case_no = fields.String()
    enforcement_case_no = fields.String()
    team = fields.String()


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
TRANSFER_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/cases/{case_no}/enforcement", "post", "转执法 Transfer the case to enforcement (dispatchers, shift leads, "
     "supervisors; the department disposing of it)", TransferRequest, 201, Transferred,
     (400, 401, 403, 404, 409, 422)),
]


@bp.post("/cases/<case_no>/enforcement")
@authenticated(TRANSFER_TO_ENFORCEMENT)
def transfer(case_no: str) -> ResponseReturnValue:
    """Transfer the case: 201 ``{enforcement_id, case_no, enforcement_case_no, team}``."""
    who, body = caller(), json_body()
    reason = body.get("reason")
    if not isinstance(reason, str):
        raise ApiError(422, "the request has invalid fields", {"reason": "the reason (a text) is needed (移送理由)"})
    result = context.bus().handle(TransferToEnforcement(case_no, reason, who.username, actor_kind=who.actor_kind))
    return jsonify(result), 201
