"""``/api/v1/admin/…`` (admins): departments, the catalogue's subtypes, the routing of a subtype and the history
of admin changes — the same commands as the ``/admin`` pages and ``gridcase city department|subtype``."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.admin import commands as ac
from city.admin import views
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Strict
from web.context import bus, deps
from web.policy import MANAGE_CITY

bp = Blueprint("api_admin", __name__)
NAME = validate.Length(min=1, max=200)
COMMENT = fields.String(load_default="", validate=validate.Length(max=500))


class DepartmentNew(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=30))
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    level = fields.String(required=True, validate=validate.OneOf(("city", "district", "street")))
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    comment = COMMENT


class DepartmentEdit(Strict):
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    level = fields.String(validate=validate.OneOf(("city", "district", "street")))
    district = fields.String(validate=validate.Length(max=20))  # "" for none
    comment = COMMENT


class SubtypeEdit(Strict):
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    default_urgency = fields.String(validate=validate.OneOf(("normal", "urgent")))
    limit_amount = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=10_000))
    limit_unit = fields.String(validate=validate.Length(min=1, max=20))
    closing_standard = fields.String(validate=validate.Length(max=2000))
    national_code = fields.String(validate=validate.Length(max=20))  # "" for none
    comment = COMMENT


class SubtypeNew(SubtypeEdit):
    code = fields.String(required=True, validate=validate.Length(equal=4))
    kind = fields.String(required=True, validate=validate.OneOf(("component", "event")))
    aspect_code = fields.String(required=True, validate=validate.Length(min=1, max=10))
    major_code = fields.String(required=True, validate=validate.Length(equal=2))
    major_name_zh = fields.String(required=True, validate=NAME)
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    default_urgency = fields.String(load_default="normal", validate=validate.OneOf(("normal", "urgent")))
    limit_amount = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=10_000))
    limit_unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    closing_standard = fields.String(load_default="", validate=validate.Length(max=2000))


class RoutingMove(Strict):
    department = fields.String(required=True, validate=validate.Length(min=1, max=30))
    comment = COMMENT


class Toggle(Strict):
    comment = COMMENT


def _toggle_body() -> dict[str, str]:
    """The optional body of a disable/enable call: its ``comment``."""
    body: dict[str, str] = Toggle().load(json_body() if request.get_data() else {})
    return body


@bp.get("/admin/departments")
@authenticated(MANAGE_CITY)
def departments() -> ResponseReturnValue:
    """Every department: code, names, level, district, disabled."""
    return jsonify({"departments": views.departments(deps())})


@bp.post("/admin/departments")
@authenticated(MANAGE_CITY)
def add_department() -> ResponseReturnValue:
    """Add a department (``AddDepartment``); 422 naming the field."""
    body = DepartmentNew().load(json_body())
    row = bus().handle(ac.AddDepartment(actor=caller().username, **body))
    return jsonify(row), 201


@bp.patch("/admin/departments/<code>")
@authenticated(MANAGE_CITY)
def edit_department(code: str) -> ResponseReturnValue:
    """Change a department's names, level or district (``EditDepartment``)."""
    body = DepartmentEdit().load(json_body())
    return jsonify(bus().handle(ac.EditDepartment(code, caller().username, **body)))


@bp.post("/admin/departments/<code>/<any(disable, enable):action>")
@authenticated(MANAGE_CITY)
def toggle_department(code: str, action: str) -> ResponseReturnValue:
    """Disable (refused while its queue has open tasks or a routing rule names it) or enable a department."""
    body = _toggle_body()
    off = bus().handle(ac.DisableDepartment(code, caller().username, enable=action == "enable", **body))
    return jsonify({"code": code, "disabled": off})


@bp.get("/admin/subtypes")
@authenticated(MANAGE_CITY)
def subtypes() -> ResponseReturnValue:
    """Every subtype with its fields and whether it is disabled; the aspects."""
    return jsonify({"subtypes": views.subtypes(deps()), "aspects": views.aspects(deps())})


@bp.post("/admin/subtypes")
@authenticated(MANAGE_CITY)
def add_subtype() -> ResponseReturnValue:
    """Add a subtype (``AddSubtype``); 422 naming the field."""
    body = SubtypeNew().load(json_body())
    return jsonify(bus().handle(ac.AddSubtype(actor=caller().username, **body))), 201


@bp.patch("/admin/subtypes/<code>")
@authenticated(MANAGE_CITY)
def edit_subtype(code: str) -> ResponseReturnValue:
    """Change a subtype's names, urgency, time limit or closing standard (``EditSubtype``)."""
    body = SubtypeEdit().load(json_body())
    return jsonify(bus().handle(ac.EditSubtype(code, caller().username, **body)))


@bp.post("/admin/subtypes/<code>/<any(disable, enable):action>")
@authenticated(MANAGE_CITY)
def toggle_subtype(code: str, action: str) -> ResponseReturnValue:
    """Disable (no new reports; open cases finish) or enable a subtype."""
    body = _toggle_body()
    off = bus().handle(ac.DisableSubtype(code, caller().username, enable=action == "enable", **body))
    return jsonify({"code": code, "disabled": off})


@bp.get("/admin/routing")
@authenticated(MANAGE_CITY)
def routing() -> ResponseReturnValue:
    """The routing in force: process, version, DMN file and per subtype the departments its rules name."""
    return jsonify(views.routing(deps()))


@bp.put("/admin/routing/<subtype>")
@authenticated(MANAGE_CITY)
def move_routing(subtype: str) -> ResponseReturnValue:
    """Route the subtype to ``department`` and deploy the rules as a new version (``MoveSubtypeRouting``)."""
    body = RoutingMove().load(json_body())
    return jsonify(bus().handle(ac.MoveSubtypeRouting(subtype, body["department"], caller().username,
                                                      body["comment"])))


@bp.get("/admin/changes")
@authenticated(MANAGE_CITY)
def changes() -> ResponseReturnValue:
    """Admin changes, newest first: ``?kind=`` (department, subtype, user, routing) and ``?key=``."""
    kind, key = request.args.get("kind") or None, request.args.get("key") or None
    return jsonify({"changes": views.history(deps(), kind, key)})


class ChannelNew(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=30))
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    urgent = fields.Boolean(load_default=False)
    comment = COMMENT


class ChannelEdit(Strict):
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    urgent = fields.Boolean()
    active = fields.Boolean()
    comment = COMMENT


@bp.get("/admin/channels")
@authenticated(MANAGE_CITY)
def channels() -> ResponseReturnValue:
    """The channels in order: code, names, urgent, active."""
    return jsonify({"channels": views.channels(deps())})


@bp.post("/admin/channels")
@authenticated(MANAGE_CITY)
def add_channel() -> ResponseReturnValue:
    """Add a channel (``AddChannel``); 422 naming the field."""
    body = ChannelNew().load(json_body())
    return jsonify(bus().handle(ac.AddChannel(actor=caller().username, **body))), 201


@bp.patch("/admin/channels/<code>")
@authenticated(MANAGE_CITY)
def edit_channel(code: str) -> ResponseReturnValue:
    """Rename, mark urgent, disable (``active`` false) or enable a channel (``EditChannel``)."""
    body = ChannelEdit().load(json_body())
    return jsonify(bus().handle(ac.EditChannel(code, caller().username, **body)))
