"""The emergency command dashboard's and after-action report's JSON (应急指挥大屏, 事后报告; docs/emergency.md):
``GET /emergencies/{id}/dashboard`` and ``GET /emergencies/{id}/report`` (READ_EMERGENCIES: centre roles, auditors,
admins). Both only read; an unknown emergency is 404."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from city.emergency.dashboard import dashboard, report
from web import context
from web.api.auth import authenticated
from web.policy import READ_EMERGENCIES

bp = Blueprint("api_emergency_dashboard", __name__)


class EmergencyDashboard(Schema):
    """One emergency's command dashboard: the emergency, counts by state, incidents and hazards with their
    locations and states, assembly by team, departments' response and fix times, assembly messages."""

    emergency = fields.Dict()
    counts = fields.Dict()
    incidents = fields.List(fields.Dict())
    hazards = fields.List(fields.Dict())
    assembly = fields.Dict()
    messages = fields.Dict()
    departments = fields.List(fields.Dict())


class EmergencyReport(Schema):
    """One emergency's after-action report: the dashboard's figures, the timeline, hazards by topic, open items."""

    emergency = fields.Dict()
    counts = fields.Dict()
    messages = fields.Dict()
    assembly = fields.Dict()
    departments = fields.List(fields.Dict())
    timeline = fields.List(fields.Dict())
    hazards_by_topic = fields.List(fields.Dict())
    open_items = fields.Dict()


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
DASHBOARD_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/emergencies/{emergency_id}/dashboard", "get", "应急指挥大屏 An emergency's command dashboard: incidents and "
     "hazards by state, assembly by team, departments' response and fix times (centre roles, auditors, admins)",
     None, 200, EmergencyDashboard, (401, 403, 404)),
    ("/emergencies/{emergency_id}/report", "get", "事后报告 An emergency's after-action report: timeline, messages "
     "sent and acknowledged, assembly time by team, hazards found and fixed by topic, incidents by department, "
     "open items (centre roles, auditors, admins)", None, 200, EmergencyReport, (401, 403, 404)),
]


@bp.get("/emergencies/<int:emergency_id>/dashboard")
@authenticated(READ_EMERGENCIES)
def emergency_dashboard(emergency_id: int) -> ResponseReturnValue:
    """The dashboard's document (404 for an unknown emergency)."""
    return jsonify(dashboard(context.deps(), emergency_id))


@bp.get("/emergencies/<int:emergency_id>/report")
@authenticated(READ_EMERGENCIES)
def emergency_report(emergency_id: int) -> ResponseReturnValue:
    """The after-action report's document (404 for an unknown emergency)."""
    return jsonify(report(context.deps(), emergency_id))
