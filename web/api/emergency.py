"""Emergency command's API (应急指挥): declare (``POST /emergencies``), list and read emergencies, the assembly by
team, a person's acknowledgement (收到) and check-in (到达) of their own call, the end (应急结束).

Every route sends the same command as the pages and ``gridcase emergency`` (``city.emergency.commands``); the
declaration's fields are checked by its start form and the model (422 naming the field, nothing written)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from city.emergency import commands as ec
from city.emergency import status
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.policy import ANSWER_ASSEMBLY_CALLS, DECLARE_EMERGENCIES, READ_EMERGENCIES

bp = Blueprint("emergency_api", __name__)


class DeclareRequest(Schema):
    """Body of ``POST /emergencies``: the declaration (teams, ack time, assembly point default to the city's)."""

    kind = fields.String(required=True, metadata={"enum": list(ec.KINDS)})
    level = fields.String(required=True, metadata={"enum": list(ec.LEVELS)})
    area = fields.Dict(required=True, metadata={"description": "{districts: [...], streets: [...]}"})
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    ends_at = fields.String(required=True, metadata={"format": "date-time"})
    commander = fields.String(required=True, metadata={"description": "the commander's username (总指挥)"})
    name = fields.String()
    teams = fields.List(fields.Dict(), metadata={"description": "{name, role?, districts?, departments?, leader?}"})
    ack_within_minutes = fields.Integer()
    assembly_point = fields.Dict(metadata={"description": "{name, lon, lat}"})
    signal_kinds = fields.List(fields.String())


class Declared(Schema):
    """The declared emergency: its id and its case's number."""

    id = fields.Integer()
    case_no = fields.String()


class EmergencyView(Schema):
    """One emergency (with its assembly totals when read alone)."""

    id = fields.Integer()
    case_no = fields.String()
    kind = fields.String()
    level = fields.String()
    state = fields.String()
    area = fields.Dict()
    commander = fields.String()
    assembly = fields.Dict()


class EmergencyList(Schema):
    """The emergencies, newest first."""

    emergencies = fields.List(fields.Nested(EmergencyView))


class AssemblyView(Schema):
    """An emergency's calls by team with their states."""

    emergency_id = fields.Integer()
    totals = fields.Dict()
    teams = fields.List(fields.Dict())


class CheckInRequest(Schema):
    """Body of ``POST /emergencies/{id}/check-in``: where the person is (the phone's position)."""

    lon = fields.Float(required=True)
    lat = fields.Float(required=True)


class EndRequest(Schema):
    """Body of ``POST /emergencies/{id}/end`` (optional)."""

    summary = fields.String()


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
EMERGENCY_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/emergencies", "post", "应急启动 Declare an emergency: the area switches to emergency rules, the teams are "
     "called (supervisors, shift leads, admins)", DeclareRequest, 201, Declared, (401, 403, 422)),
    ("/emergencies", "get", "The emergencies (?state=active|ended), newest first", None, 200, EmergencyList,
     (401, 403)),
    ("/emergencies/{emergency_id}", "get", "One emergency with its assembly totals", None, 200, EmergencyView,
     (401, 403, 404)),
    ("/emergencies/{emergency_id}/assembly", "get", "集结 The calls by team with their states", None, 200,
     AssemblyView, (401, 403, 404)),
    ("/emergencies/{emergency_id}/acknowledge", "post", "收到 Acknowledge one's own assembly call", None, 200, None,
     (401, 403, 404, 409, 422)),
    ("/emergencies/{emergency_id}/check-in", "post", "到达 Check in at the assembly point (position, now)",
     CheckInRequest, 200, None, (401, 403, 404, 409, 422)),
    ("/emergencies/{emergency_id}/end", "post", "应急结束 End the emergency (its commander, or a supervisor, shift "
     "lead, admin)", EndRequest, 200, None, (401, 403, 404, 409, 422)),
]


def _listed(body: dict[str, Any], name: str) -> tuple[Any, ...]:
    value = body.get(name)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ApiError(422, "the request has invalid fields", {name: "must be a list"})
    return tuple(value)


def declaration(body: dict[str, Any], actor: str, actor_kind: str | None = None) -> ec.DeclareEmergency:
    """The command a declaration body asks for (the command and the model check its values)."""
    minutes = body.get("ack_within_minutes")
    return ec.DeclareEmergency(
        kind=body.get("kind", ""), level=body.get("level", ""), area=body.get("area", {}),
        starts_at=body.get("starts_at", ""), ends_at=body.get("ends_at", ""), commander=body.get("commander", ""),
        actor=actor, name=str(body.get("name") or ""), teams=_listed(body, "teams"),
        ack_within_minutes=minutes, assembly_point=body.get("assembly_point"),
        signal_kinds=_listed(body, "signal_kinds"), actor_kind=actor_kind)


@bp.post("/emergencies")
@authenticated(DECLARE_EMERGENCIES)
def declare() -> ResponseReturnValue:
    """Declare an emergency: 201 ``{id, case_no}``; 422 naming the field."""
    who = caller()
    result = context.bus().handle(declaration(json_body(), who.username, who.actor_kind))
    return jsonify({"id": result["id"], "case_no": result["case_no"]}), 201


@bp.get("/emergencies")
@authenticated(READ_EMERGENCIES)
def listed() -> ResponseReturnValue:
    """The emergencies, ``?state=active|ended`` to filter."""
    state = request.args.get("state") or None
    if state is not None and state not in status.STATES:
        raise ApiError(422, "the request has invalid fields", {"state": "must be active or ended"})
    rows = status.emergency_list(context.deps(), state)
    return jsonify({"emergencies": [_json(r) for r in rows]})


@bp.get("/emergencies/<int:emergency_id>")
@authenticated(READ_EMERGENCIES)
def one(emergency_id: int) -> ResponseReturnValue:
    """One emergency with its assembly totals."""
    return jsonify(_json(status.emergency_detail(context.deps(), emergency_id)))


@bp.get("/emergencies/<int:emergency_id>/assembly")
@authenticated(READ_EMERGENCIES)
def assembly(emergency_id: int) -> ResponseReturnValue:
    """The calls by team with their states."""
    return jsonify(_json(status.assembly(context.deps(), emergency_id)))


@bp.post("/emergencies/<int:emergency_id>/acknowledge")
@authenticated(ANSWER_ASSEMBLY_CALLS)
def acknowledge(emergency_id: int) -> ResponseReturnValue:
    """The signed-in person acknowledges their own call (404 when they were not called)."""
    who = caller()
    body = json_body() if request.is_json else {}
    note = body.get("note") or ""
    result = context.bus().handle(ec.AcknowledgeAssembly(emergency_id, who.username, str(note),
                                                         actor_kind=who.actor_kind))
    return jsonify(_json({**result, **status.my_call(context.deps(), emergency_id, who.username)}))


@bp.post("/emergencies/<int:emergency_id>/check-in")
@authenticated(ANSWER_ASSEMBLY_CALLS)
def check_in(emergency_id: int) -> ResponseReturnValue:
    """The signed-in person checks in at the assembly point from ``{lon, lat}``."""
    who, body = caller(), json_body()
    for name in ("lon", "lat"):
        value = body.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ApiError(422, "the request has invalid fields", {name: "must be a number"})
    result = context.bus().handle(ec.CheckInAssembly(emergency_id, body["lon"], body["lat"], who.username,
                                                     actor_kind=who.actor_kind))
    return jsonify(_json({**result, **status.my_call(context.deps(), emergency_id, who.username)}))


@bp.post("/emergencies/<int:emergency_id>/end")
@authenticated()
def end(emergency_id: int) -> ResponseReturnValue:
    """End the emergency: its commander, or an account that may declare (403 for anyone else)."""
    who = caller()
    found = status.emergency_detail(context.deps(), emergency_id)
    if who.username != found["commander"] and who.role not in DECLARE_EMERGENCIES:
        raise ApiError(403, f"role {who.role} may not end an emergency it does not command")
    body = json_body() if request.is_json else {}
    context.bus().handle(ec.EndEmergency(emergency_id, who.username, str(body.get("summary") or ""),
                                         actor_kind=who.actor_kind))
    return jsonify(_json(status.emergency_detail(context.deps(), emergency_id)))


def _json(value: Any) -> Any:
    """Datetimes as ISO text, recursively (the read model hands out aware datetimes)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value
