"""Transport supervision's JSON for the map pages (渣土运输监管; docs/transport.md), READ_TRANSPORT (centre roles,
members of the departments supervising transport — the city package's transport.json —, auditors, admins); every
route only reads:

- ``GET /transport/vehicles/live``: every vehicle's newest position and state (moving, stopped, silent, alert open);
- ``GET /transport/vehicles/{plate}/track?from=&to=``: its track over a period (default the last 24 h, at most
  31 days; at most 20,000 points, thinned evenly beyond) with its permits' corridors and sites and its alerts;
- ``GET /transport/alerts?company=&kind=&state=&from=&to=``: alerts (default the last 7 days, at most 366) with
  counts by company and kind;
- ``GET /transport/alerts/{id}``: one alert with its track segment, facts and cases.

Times are ISO 8601 with an offset (422 naming ``from``/``to`` otherwise); an unknown plate or alert is 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError, fields, validate, validates_schema

from city.persistence.read.gps_views import AlertFilter
from city.transport import views
from web import context
from web.api.auth import authenticated
from web.api.schemas import Strict
from web.policy import READ_TRANSPORT

bp = Blueprint("api_transport_views", __name__)
TRACK_DEFAULT, TRACK_LONGEST = timedelta(hours=24), timedelta(days=31)
ALERTS_DEFAULT, ALERTS_LONGEST = timedelta(days=7), timedelta(days=366)
YEARS = validate.Range(datetime(2000, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, tzinfo=UTC),
                       error="a time in 2000–2999")
MAX_ALERT_ID = 2**31 - 1


class PeriodQuery(Strict):
    """``from`` and ``to``: ISO 8601 times with an offset (years 2000–2999), ``from`` before ``to``."""

    since = fields.AwareDateTime(data_key="from", validate=YEARS)
    until = fields.AwareDateTime(data_key="to", validate=YEARS)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("must be after from", "to")


class TrackQuery(PeriodQuery):
    """A track's period (default the last 24 h; at most 31 days)."""


class AlertQuery(PeriodQuery):
    """The alert list's filters (period default the last 7 days; at most 366)."""

    company = fields.String(validate=validate.Length(1, 40))
    kind = fields.String(validate=validate.OneOf(views.KINDS))
    state = fields.String(validate=validate.OneOf(views.ALERT_STATES))


def period(query: dict[str, Any], default: timedelta, longest: timedelta) -> tuple[datetime, datetime]:
    """(since, until) from a loaded query: missing ends from the clock and the default length; a longer period is
    refused (422 naming ``from``)."""
    until = query.get("until") or (query["since"] + default if query.get("since") else context.deps().clock.now())
    since = query.get("since") or until - default
    if until - since > longest:
        raise ValidationError({"from": [f"the period may be at most {longest.days} days"]})
    return since, until


class LiveVehicles(Strict):
    """Every vehicle's newest position and state, counts by state."""

    at = fields.String()
    vehicles = fields.List(fields.Dict())
    counts = fields.Dict()


class VehicleTrack(Strict):
    """A vehicle's track over a period (GeoJSON Feature, properties.times), its permits, sites and alerts."""

    vehicle = fields.Dict()
    total_points = fields.Integer()
    points = fields.Integer()
    thinned = fields.Boolean()
    track = fields.Dict()
    permits = fields.List(fields.Dict())
    sites = fields.List(fields.Dict())
    alerts = fields.List(fields.Dict())


class AlertList(Strict):
    """Alerts matching the filters (newest first, at most 500) and counts by company and kind."""

    filters = fields.Dict()
    total = fields.Integer()
    alerts = fields.List(fields.Dict())
    by_company = fields.List(fields.Dict())
    by_kind = fields.Dict()


@bp.get("/transport/vehicles/live")
@authenticated(READ_TRANSPORT)
def live_vehicles() -> ResponseReturnValue:
    """The live map's vehicles."""
    Strict().load(request.args.to_dict())
    return jsonify(views.live(context.deps()))


@bp.get("/transport/vehicles/<plate>/track")
@authenticated(READ_TRANSPORT)
def vehicle_track(plate: str) -> ResponseReturnValue:
    """A vehicle's track over ``from``..``to`` (404 for an unknown plate)."""
    since, until = period(TrackQuery().load(request.args.to_dict()), TRACK_DEFAULT, TRACK_LONGEST)
    return jsonify(views.track(context.deps(), plate, since, until))


def alert_filter(query: dict[str, Any]) -> AlertFilter:
    """The read model's filter from a loaded ``AlertQuery``."""
    since, until = period(query, ALERTS_DEFAULT, ALERTS_LONGEST)
    return AlertFilter(since, until, query.get("company"), query.get("kind"), query.get("state"))


@bp.get("/transport/alerts")
@authenticated(READ_TRANSPORT)
def alert_list() -> ResponseReturnValue:
    """Alerts by company, kind, state and period, with counts."""
    return jsonify(views.alert_list(context.deps(), alert_filter(AlertQuery().load(request.args.to_dict()))))


@bp.get(f"/transport/alerts/<int(max={MAX_ALERT_ID}):alert_id>")
@authenticated(READ_TRANSPORT)
def alert_detail(alert_id: int) -> ResponseReturnValue:
    """One alert (404 for an unknown id)."""
    return jsonify(views.alert(context.deps(), alert_id))


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
TRANSPORT_VIEW_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/transport/vehicles/live", "get", "渣土车实时位置 Every transport vehicle's newest position and state (moving, "
     "stopped, silent, alert open), counts by state", None, 200, LiveVehicles, (401, 403, 422)),
    ("/transport/vehicles/{plate}/track", "get", "轨迹回放 A vehicle's track over a period (default the last 24 h, "
     "at most 31 days; at most 20,000 points, thinned evenly) with its permits' corridors, sites and alerts",
     None, 200, VehicleTrack, (401, 403, 404, 422)),
    ("/transport/alerts", "get", "运输告警 Alerts by company, kind, state and period (default the last 7 days), with "
     "counts by company and kind", None, 200, AlertList, (401, 403, 422)),
    ("/transport/alerts/{alert_id}", "get", "告警详情 One alert: its track segment, facts, permit, review case and "
     "lifecycle case", None, 200, None, (401, 403, 404)),
]
_PERIOD = [{"name": name, "in": "query", "schema": {"type": "string", "format": "date-time"}}
           for name in ("from", "to")]
TRANSPORT_VIEW_QUERIES: dict[str, list[dict[str, Any]]] = {
    "/transport/vehicles/{plate}/track": _PERIOD,
    "/transport/alerts": [*_PERIOD, {"name": "company", "in": "query", "schema": {"type": "string", "maxLength": 40}},
                          {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(views.KINDS)}},
                          {"name": "state", "in": "query",
                           "schema": {"type": "string", "enum": list(views.ALERT_STATES)}}],
}
