"""Duplicates at 立案: a report's possible duplicates, voiding it as a duplicate of one of them, and a case's links.

``POST /cases/{no}/void-as-duplicate`` sends the same command as the task page's button (``VoidAsDuplicate``): the
caller must be allowed to complete the case's 立案 task; refusals are 4xx naming the field."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from city.duplicates.candidates import Window, case_links, duplicate_candidates, filing_task_id
from city.duplicates.commands import VoidAsDuplicate
from city.duplicates.voiding import NOTE_LIMIT
from engine.service.queries import task_by_id
from web import context
from web.api.access import require_task_action
from web.api.auth import authenticated, caller
from web.api.cases import json_body, visible_case
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import READ_CASES

bp = Blueprint("api_duplicates", __name__)


class VoidAsDuplicateRequest(Strict):
    duplicate_of = fields.String(required=True, validate=validate.Length(min=1, max=24),
                                 metadata={"description": "the number of the open case this report repeats"})
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_LIMIT))
    allow_other_subtype = fields.Boolean(load_default=False, metadata={
        "description": "link to a case of another subtype (refused, naming this field, unless true)"})
    expected_version = fields.Integer(validate=validate.Range(0, 2**31 - 1))


class CandidateView(Schema):
    case_no = fields.String()
    steps = fields.List(fields.String())
    distance_m = fields.Float()
    reported_at = fields.DateTime()
    description = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)


class CandidateList(Schema):
    case_no = fields.String()
    subtype = fields.String(allow_none=True)
    radius_m = fields.Integer()
    window_days = fields.Integer()
    candidates = fields.List(fields.Nested(CandidateView))


class LinkView(Schema):
    case_no = fields.String(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()
    note = fields.String(allow_none=True)


class LinksView(Schema):
    duplicate_of = fields.Nested(LinkView, allow_none=True)
    duplicates = fields.List(fields.Nested(LinkView))
    reports = fields.Integer(metadata={"description": "reports this case stands for: itself and its duplicates"})


DUPLICATE_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/cases/{case_no}/duplicate-candidates", "get", "重复案件 Open cases of the same subtype near the report and "
     "within the window (GRIDCASE_DUPLICATE_RADIUS_M, GRIDCASE_DUPLICATE_WINDOW_DAYS), nearest first", None, 200,
     CandidateList, (401, 403, 404)),
    ("/cases/{case_no}/void-as-duplicate", "post", "作废为重复 Void the report at 立案 as a duplicate of an open case "
     "and link both (whoever may complete its 立案 task): 422 naming duplicate_of or allow_other_subtype",
     VoidAsDuplicateRequest, 200, LinksView, (400, 401, 403, 404, 409, 422)),
    ("/cases/{case_no}/links", "get", "The case's duplicate links both ways and its number of reports", None, 200,
     LinksView, (401, 404)),
]


def window() -> Window:
    """The radius and window of days the settings give."""
    settings = context.settings()
    return Window(settings.duplicate_radius_m, settings.duplicate_window_days)


def candidates_view(case: dict[str, Any]) -> dict[str, Any]:
    """The case's candidates, each with its thumbnail's URL (None without an image)."""
    found = duplicate_candidates(context.deps(), case["id"], window())
    for row in found["candidates"]:
        row["image_url"] = None if row["image"] is None else url_for(
            "api_cases.download", case_no=row["case_no"], digest=row["image"])
    return {**found, "case_no": case["case_no"]}


def links_view(case_id: int) -> dict[str, Any]:
    """The case's links, as the API and the case page show them."""
    return case_links(context.deps(), case_id)


@bp.get("/cases/<case_no>/duplicate-candidates")
@authenticated(READ_CASES)
def candidates(case_no: str) -> ResponseReturnValue:
    """Open cases of the report's subtype within the radius and the window, nearest first."""
    case = visible_case(case_no)
    if case.get("id") is None:
        raise ApiError(404, f"case {case_no} is an imported history case")
    return jsonify(CandidateList().dump(candidates_view(case)))


@bp.get("/cases/<case_no>/links")
@authenticated()
def links(case_no: str) -> ResponseReturnValue:
    """The case's duplicate links both ways and how many reports it stands for."""
    case = visible_case(case_no)
    if case.get("id") is None:
        return jsonify({"duplicate_of": None, "duplicates": [], "reports": 1})
    return jsonify(LinksView().dump(links_view(case["id"])))


@bp.post("/cases/<case_no>/void-as-duplicate")
@authenticated()
def void_as_duplicate(case_no: str) -> ResponseReturnValue:
    """Void the report at 立案 as a duplicate of ``duplicate_of`` and link both cases (one command)."""
    case = visible_case(case_no)
    if not caller().acts_on_tasks:  # auditors, admins, machines: they work no task, so void none
        raise ApiError(403, f"role {caller().role} completes no task")
    body = VoidAsDuplicateRequest().load(json_body())
    task_id = filing_task_id(context.deps(), case["id"]) if case.get("id") is not None else None
    task = task_by_id(context.deps(), task_id) if task_id is not None else None
    if task is None:
        raise ApiError(409, f"case {case_no} has no ready 立案 (filing) task")
    require_task_action(caller(), task)
    who = caller()
    context.bus().handle(VoidAsDuplicate(case["case_no"], body["duplicate_of"], who.username, note=body["note"],
                                         task_id=task_id, allow_other_subtype=body["allow_other_subtype"],
                                         expected_version=body.get("expected_version"),
                                         actor_kind=who.actor_kind))
    return jsonify(LinksView().dump(links_view(case["id"])))
