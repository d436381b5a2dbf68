"""Assessment inspections' API (考评检查): /api/v1/assessment/inspections…

Who may: readers of assessments (``READ_ASSESSMENTS``) list and read every inspection; inspectors
(``INSPECT_ASSESSED_OBJECTS``: collectors, departments' members) list and read only their task groups' (another's
is 404) and record items (``RecordInspectionItem``: the command checks the group, 404; 409 once closed or
escalated; 422 naming each field). Photos are uploaded to the inspection's case first (``POST
/cases/{case_no}/attachments``); finishing a visit is ``POST /tasks/{task_id}/complete`` with ``{}`` on its
``inspect_object`` or ``reinspect_object`` task, which the model refuses while an item or a required photo is
missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.assessment import inspection_sheet as sheets
from city.assessment.commands import RecordInspectionItem
from city.persistence.read import assessment_inspections as reads
from engine.service.accounts import Principal
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.query_args import whole_arg
from web.api.schemas import SHA256, Strict
from web.policy import INSPECT_ASSESSED_OBJECTS, READ_ASSESSMENTS, allows

bp = Blueprint("assessment_inspections_api", __name__)
INSPECTION = "/assessment/inspections/<int(max=2147483647):inspection_id>"
DEFAULT_PER_PAGE, MAX_PAGE = 100, 100_000
MAX_ID = 2**31 - 1  # a round's id is a 32-bit integer in both databases


class InspectionItemRequest(Strict):
    """Body of ``POST /assessment/inspections/{id}/items`` (``RecordInspectionItem``): one item of the current
    visit; recorded again before the visit is finished, it replaces the first."""

    item_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    result = fields.String(required=True, validate=validate.OneOf(["pass", "fail", "na"]),
                           metadata={"description": "合格 pass, 不合格 fail, 不适用 na (not at a re-inspection)"})
    deduction = fields.Float(load_default=None, allow_none=True, metadata={
        "description": "a fail's deducted points: more than 0, at most the item's points (default: all of them)"})
    deduction_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40),
                                   metadata={"description": "one of the item's preset deductions (扣分项)"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    photos = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=20),
                         metadata={"description": "sha256 of photos uploaded to the inspection's case"})


def _json(value: Any) -> Any:
    """Times as ISO 8601 text, everything else as it is."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _reader_or_inspector() -> tuple[Principal, bool]:
    """The caller and whether they read every inspection; 403 for who neither reads nor inspects."""
    who = caller()
    reads_all = allows(who, READ_ASSESSMENTS)
    if not reads_all and not allows(who, INSPECT_ASSESSED_OBJECTS):
        raise ApiError(403, f"role {who.role} may not read assessment inspections")
    return who, reads_all


@bp.get("/assessment/inspections")
@authenticated()
def inspection_list() -> ResponseReturnValue:
    """Inspections by round and object (``?round_id=&state=&mine=1&page=&per_page=``), a page at a time with the
    ``total``; an inspector sees only their groups'."""
    who, reads_all = _reader_or_inspector()
    state = request.args.get("state") or None
    if state is not None and state not in reads.STATES:
        raise ApiError(422, "unknown state", {"state": "must be one of: " + ", ".join(reads.STATES)})
    mine = (request.args.get("mine") or "").lower() in ("1", "true", "yes")
    groups = sorted(who.groups) if mine or not reads_all else None
    with context.deps().uow(read_only=True) as uow:
        found = reads.inspection_list(uow.store, round_id=whole_arg("round_id", None, 0, MAX_ID), state=state,
                                      groups=groups, page=whole_arg("page", 1, 1, MAX_PAGE),
                                      per_page=whole_arg("per_page", DEFAULT_PER_PAGE, 1, reads.LIST_LIMIT))
    return jsonify(_json(found))


@bp.get(INSPECTION)
@authenticated()
def inspection_sheet(inspection_id: int) -> ResponseReturnValue:
    """The sheet: the inspection, its object and round, case number, ready visit task, current visit, items with
    each visit's results and rectification cases, score."""
    who, reads_all = _reader_or_inspector()
    found = sheets.inspection_sheet(context.deps(), inspection_id)
    if found is None or (not reads_all and found["inspection"]["task_group"] not in who.groups):
        raise ApiError(404, f"inspection {inspection_id} not found")
    return jsonify(_json(found))


@bp.post(INSPECTION + "/items")
@authenticated(INSPECT_ASSESSED_OBJECTS)
def record_item(inspection_id: int) -> ResponseReturnValue:
    """Record one item of the current visit: the item's row."""
    body, who = InspectionItemRequest().load(json_body()), caller()
    result = context.bus().handle(RecordInspectionItem(
        inspection_id, body["item_code"], body["result"], who.username, deduction=body["deduction"],
        deduction_code=body["deduction_code"], note=body["note"], photos=tuple(body["photos"]),
        actor_kind=who.actor_kind))
    return jsonify(_json(result))


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
ASSESSMENT_INSPECTION_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/assessment/inspections", "get", "考评检查 Inspections by round and object, a page at a time with the total "
     "(an inspector: their groups' only)",
     None, 200, None, (401, 403, 422)),
    ("/assessment/inspections/{inspection_id}", "get", "检查表 An inspection's sheet: object, round, ready task, "
     "current visit, items with each visit's results and rectification cases", None, 200, None, (401, 403, 404)),
    ("/assessment/inspections/{inspection_id}/items", "post", "记录检查项 Record an item of the current visit "
     "(the inspection's task group; again: replaced)", InspectionItemRequest, 200, None,
     (400, 401, 403, 404, 409, 422)),
]
ASSESSMENT_INSPECTION_QUERIES: dict[str, list[dict[str, Any]]] = {
    "/assessment/inspections": [
        {"name": "round_id", "in": "query", "required": False, "schema": {"type": "integer"}},
        {"name": "state", "in": "query", "required": False, "schema": {"type": "string", "enum": list(reads.STATES)}},
        {"name": "mine", "in": "query", "required": False, "schema": {"type": "boolean"},
         "description": "only the inspections of the caller's task groups"},
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                      "maximum": MAX_PAGE, "default": 1}},
        {"name": "per_page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": reads.LIST_LIMIT, "default": DEFAULT_PER_PAGE},
         "description": "at most 500; the answer's total counts every match"}],
}
