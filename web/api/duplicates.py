"""Duplicates at 立案: a report's possible duplicates, voiding it as a duplicate of one of them, and a case's links.

``POST /cases/{no}/void-as-duplicate`` sends the same command as the task page's button (``VoidAsDuplicate``): the
caller must be allowed to complete the case's 立案 task; refusals are 4xx naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from city.duplicates.candidates import Window, case_links, duplicate_candidates, filing_task_id
from city.duplicates.commands import VoidAsDuplicate
from city.duplicates.voiding import NOTE_LIMIT
from engine.service.accounts import Principal
from engine.service.queries import case_by_no, task_by_id
from web import context
from web.api.access import case_visible, require_task_action
from web.api.auth import authenticated, caller
from web.api.cases import json_body, visible_case
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import READ_ALL_CASES, READ_CASES, READ_LINK_AUTHORS, allows

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
    named = fields.Boolean(metadata={"description": "the case the report itself named as the one it repeats"})


class CandidateList(Schema):
    case_no = fields.String()
    subtype = fields.String(allow_none=True)
    radius_m = fields.Integer()
    window_days = fields.Integer()
    candidates = fields.List(fields.Nested(CandidateView))


class LinkView(Schema):
    case_no = fields.String(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True, metadata={
        "description": "who linked them; null for callers who see a case only as its starter (not staff)"})
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
     "and link both (whoever may complete its 立案 task): 422 naming duplicate_of or allow_other_subtype; the same "
     "request again answers 200 and writes nothing",
     VoidAsDuplicateRequest, 200, LinksView, (400, 401, 403, 404, 409, 422)),
    ("/cases/{case_no}/links", "get", "The case's duplicate links both ways and its number of reports", None, 200,
     LinksView, (401, 404)),
]


def window() -> Window:
    """The radius and window of days the settings give."""
    settings = context.settings()
    return Window(settings.duplicate_radius_m, settings.duplicate_window_days)


def visible_to(who: Principal) -> Callable[[str], bool]:
    """May ``who`` see the case of this number — the rule of ``GET /cases/{no}`` (``case_visible``)."""
    deps = context.deps()
    if allows(who, READ_ALL_CASES):
        return lambda number: True

    def visible(number: str) -> bool:
        found = case_by_no(deps, number, deps.clock.now())
        return found is not None and case_visible(who, found)

    return visible


def candidates_view(case: dict[str, Any], who: Principal) -> dict[str, Any]:
    """The case's candidates ``who`` may see, each with its thumbnail's URL (None without an image)."""
    found = duplicate_candidates(context.deps(), case["id"], window(), visible_to(who))
    for row in found["candidates"]:
        row["image_url"] = None if row["image"] is None else url_for(
            "api_cases.download", case_no=row["case_no"], digest=row["image"])
    return {**found, "case_no": case["case_no"]}


def links_view(case_id: int, who: Principal) -> dict[str, Any]:
    """The case's links, as the API and the case page show them; who linked them only for staff (a vision worker or
    anyone who sees the case only as its starter gets the case numbers)."""
    links = case_links(context.deps(), case_id)
    if not is_staff(who):
        for link in [links["duplicate_of"], *links["duplicates"]]:
            if link is not None:
                link["created_by"] = None
    return links


def is_staff(who: Principal) -> bool:
    """Centre roles, auditors, admins and integrations, department members and collectors."""
    return allows(who, READ_LINK_AUTHORS)


@bp.get("/cases/<case_no>/duplicate-candidates")
@authenticated(READ_CASES)
def candidates(case_no: str) -> ResponseReturnValue:
    """Open cases of the report's subtype within the radius and the window, nearest first."""
    case = visible_case(case_no)
    if case.get("id") is None:
        raise ApiError(404, f"case {case_no} is an imported history case")
    return jsonify(CandidateList().dump(candidates_view(case, caller())))


@bp.get("/cases/<case_no>/links")
@authenticated()
def links(case_no: str) -> ResponseReturnValue:
    """The case's duplicate links both ways and how many reports it stands for."""
    case = visible_case(case_no)
    if case.get("id") is None:
        return jsonify({"duplicate_of": None, "duplicates": [], "reports": 1})
    return jsonify(LinksView().dump(links_view(case["id"], caller())))


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
        links = links_view(case["id"], caller()) if case.get("id") is not None else None
        if links is not None and (links["duplicate_of"] or {}).get("case_no") == body["duplicate_of"]:
            return jsonify(LinksView().dump(links))  # a repeated request: voided into that case already
        raise ApiError(409, f"case {case_no} has no ready 立案 (filing) task")
    require_task_action(caller(), task)
    who = caller()
    context.bus().handle(VoidAsDuplicate(case["case_no"], body["duplicate_of"], who.username, note=body["note"],
                                         task_id=task_id, allow_other_subtype=body["allow_other_subtype"],
                                         expected_version=body.get("expected_version"),
                                         actor_kind=who.actor_kind))
    return jsonify(LinksView().dump(links_view(case["id"], caller())))
