"""GPS positions in (渣土车 GPS 接入): ``POST /api/v1/gps/positions`` from a vendor platform or the devices
(``SEND_GPS_POSITIONS``: integration accounts, admins).

A batch holds up to ``GRIDCASE_GPS_MAX_BATCH`` positions (5,000) in at most ``MAX_BODY_BYTES``; it is recorded and
checked by ``RecordGpsPositions`` in one transaction, idempotent per device and time. The positions' values are
checked by the command, not by a marshmallow schema: a schema costs more per position than recording it, and the
command's check is the one every entry point shares (422 naming ``positions[i].field``; nothing written). The
schemas below describe the body and the answer for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.transport.commands import RecordGpsPositions
from city.transport.wiring import MAX_BATCH, configure
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_object
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import SEND_GPS_POSITIONS

bp = Blueprint("api_gps", __name__)
MAX_BODY_BYTES = 4 * 2**20  # 5,000 positions take about 0.7 MB as vendors send them


class GpsPosition(Strict):
    """One position of a device."""

    device_id = fields.String(required=True, validate=validate.Length(1, 64), metadata={
        "description": "printable ASCII without spaces, as the vehicles registry holds it"})
    recorded_at = fields.String(required=True, metadata={
        "description": "ISO 8601 with an offset; at most 5 minutes ahead, not older than the retention"})
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    speed_kmh = fields.Float(allow_none=True, validate=validate.Range(0, 300))
    heading = fields.Float(allow_none=True, validate=validate.Range(0, 360))


class GpsBatch(Strict):
    """Body of ``POST /gps/positions``."""

    positions = fields.List(fields.Nested(GpsPosition), required=True, validate=validate.Length(1, MAX_BATCH))
    source = fields.String(validate=validate.Length(1, 100), metadata={"description": "the sending platform"})


class GpsAlert(Strict):
    id = fields.Integer()
    kind = fields.String()
    plate = fields.String()
    case_no = fields.String(metadata={"description": "the lifecycle case the alert opened, when the rules open one"})


class GpsRecorded(Strict):
    accepted = fields.Integer(metadata={"description": "positions new to the database"})
    duplicates = fields.Integer(metadata={"description": "positions stored before (a batch sent again)"})
    conflicts = fields.Integer(metadata={"description": "positions naming a device and time stored, or given earlier"
                                                        " in the batch, with other coordinates (the first is kept)"})
    unknown_devices = fields.Integer(metadata={"description": "devices of no registered vehicle (kept)"})
    alerts = fields.List(fields.Nested(GpsAlert), metadata={"description": "the alerts this batch raised"})
    rules = fields.String(metadata={"description": "'not deployed' while no transport_alert version is"})


GPS_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/gps/positions", "post", "GPS 定位接入 Record a batch of GPS positions (idempotent per device and time) and "
     "check them against the geofence rules (integration accounts, admins)", GpsBatch, 200, GpsRecorded,
     (400, 401, 403, 409, 413, 422)),
]


@bp.record_once
def _configure(state: BlueprintSetupState) -> None:
    """The app's GPS settings (GRIDCASE_GPS_*) given to its bus's transport caches."""
    settings = state.app.extensions[context.SETTINGS]
    configure(state.app.extensions[context.BUS], retention_days=settings.gps_retention_days,
              max_batch=settings.gps_max_batch)


def _read_batch() -> bytes:
    """The body's bytes, not cached (a batch is read once): 413 past ``MAX_BODY_BYTES``."""
    data = request.get_data(cache=False)
    if len(data) > MAX_BODY_BYTES:
        raise ApiError(413, f"a batch must be at most {MAX_BODY_BYTES // 2**20} MB: send fewer positions at once")
    return data


def _body() -> dict[str, Any]:
    """The JSON object sent: 413 past ``MAX_BODY_BYTES``, 400 when it is no JSON object (``json_object``; its
    values are left to the command: ``json_body``'s walk of every value would cost a large batch dearly)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, f"a batch must be at most {MAX_BODY_BYTES // 2**20} MB: send fewer positions at once")
    body = json_object(_read_batch)
    unknown = sorted(set(body) - {"positions", "source"})
    if unknown:
        raise ApiError(422, "the request has invalid fields", {name: "unknown field" for name in unknown[:20]})
    return body


@bp.post("/gps/positions")
@authenticated(SEND_GPS_POSITIONS)
def record_positions() -> ResponseReturnValue:
    """Record and check a batch: ``{accepted, duplicates, conflicts, unknown_devices, alerts: [{id, kind, plate,
    case_no?}]}`` (and ``rules: "not deployed"`` while no transport_alert version is). 409 when the database stayed
    locked (a day's partition could not be made): nothing was recorded, the batch may be sent again."""
    body = _body()
    positions = body.get("positions")
    who = caller()
    result = context.bus().handle(RecordGpsPositions(
        tuple(positions) if isinstance(positions, list) else (), who.username,
        source=body.get("source"), actor_kind=who.actor_kind))
    return jsonify(result)
