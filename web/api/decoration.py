"""Decoration works' API (室内装修工程): /api/v1/decoration-works.

Who may: ``REGISTER_DECORATION_WORKS`` registers a works, its waste's removal and cancels one (the commands refuse
what they refuse from every entry point: 422 naming the field, 404, 409; a cancel by another office 403);
``READ_DECORATION_WORKS`` reads the list and one works with its removal, inspections and linked cases."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.decoration import views
from city.decoration.commands import CancelDecorationWorks, RegisterDecorationRemoval, RegisterDecorationWorks
from city.persistence.read.decoration import STATES
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.query_args import whole_arg
from web.api.schemas import Strict
from web.policy import READ_DECORATION_WORKS, REGISTER_DECORATION_WORKS

bp = Blueprint("decoration_api", __name__)
DISTRICT_CHARS = 20


class WorksRequest(Strict):
    """Body of ``POST /decoration-works``: the ranges, the phone and the place are checked by the command."""

    address = fields.String(required=True, metadata={"description": "地址 (address)"})
    compound_name = fields.String(load_default=None, allow_none=True, metadata={"description": "小区 (compound)"})
    lon = fields.Float(required=True, allow_nan=False)
    lat = fields.Float(required=True, allow_nan=False)
    owner_name = fields.String(required=True, metadata={"description": "业主 (owner)"})
    owner_phone = fields.String(required=True, metadata={"description": "联系电话 (phone)"})
    contractor = fields.String(required=True, metadata={"description": "施工单位 (contractor)"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    expected_waste_m3 = fields.Float(required=True, allow_nan=False, metadata={"description": "预计垃圾量 (m³)"})


class RemovalRequest(Strict):
    """Body of ``POST /decoration-works/{code}/removal``."""

    permit_code = fields.String(required=True, validate=validate.Length(min=1, max=60),
                                metadata={"description": "核准证编号 (transport permit)"})


class CancelRequest(Strict):
    """Body of ``POST /decoration-works/{code}/cancel``."""

    reason = fields.String(required=True, metadata={"description": "撤销原因 (reason)"})


@bp.post("/decoration-works")
@authenticated(REGISTER_DECORATION_WORKS)
def register() -> ResponseReturnValue:
    """Register a works (装修登记): its row and its case, in one transaction (201)."""
    body, who = WorksRequest().load(json_body()), caller()
    result = context.bus().handle(RegisterDecorationWorks(
        body["address"], body["compound_name"], body["lon"], body["lat"], body["owner_name"], body["owner_phone"],
        body["contractor"], body["starts_on"], body["ends_on"], body["expected_waste_m3"], who.username,
        actor_kind=who.actor_kind))
    return jsonify(result), 201


@bp.get("/decoration-works")
@authenticated(READ_DECORATION_WORKS)
def works_list() -> ResponseReturnValue:
    """A page of the works, newest first (``?state=``, ``?district=``, ``?page=``, ``?per_page=``), with the total."""
    state = request.args.get("state") or None
    district = request.args.get("district") or None
    if state is not None and state not in STATES:
        raise ApiError(422, f"state must be one of {', '.join(STATES)}", {"state": f"one of {', '.join(STATES)}"})
    if district is not None and (len(district) > DISTRICT_CHARS or not district.isalnum()):
        raise ApiError(422, "district must be a district code", {"district": "must be a district code"})
    page = whole_arg("page", 1, 1, views.MAX_PAGE)
    per_page = whole_arg("per_page", views.PER_PAGE, 1, views.MAX_PER_PAGE)
    return jsonify(views.works_list(context.deps(), state, district, page, per_page))


@bp.get("/decoration-works/<code>")
@authenticated(READ_DECORATION_WORKS)
def works_detail(code: str) -> ResponseReturnValue:
    """One works: its facts, removal, inspections and linked cases."""
    return jsonify(views.works_detail(context.deps(), code))


@bp.post("/decoration-works/<code>/removal")
@authenticated(REGISTER_DECORATION_WORKS)
def register_removal(code: str) -> ResponseReturnValue:
    """Register the waste's removal by a transport permit (登记清运)."""
    body, who = RemovalRequest().load(json_body()), caller()
    return jsonify(context.bus().handle(RegisterDecorationRemoval(code, body["permit_code"], who.username,
                                                                  actor_kind=who.actor_kind)))


@bp.post("/decoration-works/<code>/cancel")
@authenticated(REGISTER_DECORATION_WORKS)
def cancel(code: str) -> ResponseReturnValue:
    """Cancel the works (撤销登记): its office or an admin."""
    body, who = CancelRequest().load(json_body()), caller()
    return jsonify(context.bus().handle(CancelDecorationWorks(code, body["reason"], who.username,
                                                              actor_kind=who.actor_kind)))


DECORATION_QUERIES = {
    "/decoration-works": [{"name": "state", "in": "query", "schema": {"type": "string", "enum": list(STATES)}},
                          {"name": "district", "in": "query", "schema": {"type": "string"}},
                          {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                     "maximum": views.MAX_PAGE}},
                          {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                         "maximum": views.MAX_PER_PAGE}}],
}
#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
DECORATION_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/decoration-works", "post", "装修登记 Register an indoor decoration works: its row and its case; 422 names every"
     " field at fault (the point outside the city's grids: lon, lat)", WorksRequest, 201, None,
     (400, 401, 403, 409, 422)),
    ("/decoration-works", "get", "装修工程 Decoration works, newest first, a page at a time"
     " (?state=, ?district=, ?page=, ?per_page=; the total and the pages with them)", None, 200, None,
     (401, 403, 422)),
    ("/decoration-works/{code}", "get", "装修工程 One works: facts, removal, inspections, linked cases", None, 200,
     None, (401, 403, 404)),
    ("/decoration-works/{code}/removal", "post", "登记清运 Register the waste's removal by a transport permit (active,"
     " valid over the works' period, its company active): the works' office, its registrant, the district's"
     " collectors or an admin", RemovalRequest, 200, None, (400, 401, 403, 404, 409, 422)),
    ("/decoration-works/{code}/cancel", "post", "撤销登记 Cancel the works (its office, its registrant or an admin)",
     CancelRequest, 200, None, (400, 401, 403, 404, 409, 422)),
]
