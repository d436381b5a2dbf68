"""Incidents over HTTP (docs/workers.md): list them, retry or resolve one (OPERATE_INCIDENTS: admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.domain import jobs as j
from engine.service.incidents import incident_by_id, open_incidents
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.jobs import stamp
from web.api.schemas import Strict
from web.policy import OPERATE_INCIDENTS

bp = Blueprint("api_incidents", __name__)


class IncidentQuery(Strict):
    all = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


class RetrySchema(Strict):
    retries = fields.Integer(strict=True, load_default=1, validate=validate.Range(1, j.MAX_RETRIES))
    note = fields.String(load_default="", validate=validate.Length(max=j.MAX_MESSAGE))


class ResolveSchema(Strict):
    note = fields.String(required=True, validate=validate.Length(min=1, max=j.MAX_MESSAGE))


def incident_json(found: dict[str, Any]) -> dict[str, Any]:
    """An incident as the API shows it (times in ISO 8601, UTC)."""
    return {k: stamp(v) if isinstance(v, datetime) else v for k, v in found.items()}


@bp.get("/incidents")
@authenticated(OPERATE_INCIDENTS)
def list_incidents() -> ResponseReturnValue:
    """The open incidents, newest first (``?all=true``: resolved ones too)."""
    query = IncidentQuery().load(request.args.to_dict())
    found = open_incidents(context.deps(), include_resolved=query["all"], limit=query["limit"])
    return jsonify([incident_json(i) for i in found])


@bp.post("/incidents/<int:incident_id>/retry")
@authenticated(OPERATE_INCIDENTS)
def retry(incident_id: int) -> ResponseReturnValue:
    """``{retries?, note?}``: a job fetchable again with its retries, a timer fired again by the scheduler."""
    body = RetrySchema().load(json_body())
    who = caller()
    context.bus().handle(j.RetryIncident(incident_id, who.username, body["retries"], body["note"],
                                         actor_kind=who.actor_kind))
    return jsonify(_current(incident_id))


@bp.post("/incidents/<int:incident_id>/resolve")
@authenticated(OPERATE_INCIDENTS)
def resolve(incident_id: int) -> ResponseReturnValue:
    """``{note}``: closed without a retry, saying why."""
    body = ResolveSchema().load(json_body())
    who = caller()
    context.bus().handle(j.ResolveIncident(incident_id, who.username, body["note"], actor_kind=who.actor_kind))
    return jsonify(_current(incident_id))


def _current(incident_id: int) -> dict[str, Any]:
    found = incident_by_id(context.deps(), incident_id)
    if found is None:
        raise ApiError(404, f"incident {incident_id} not found")
    return incident_json(found)
