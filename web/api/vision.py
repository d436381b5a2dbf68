"""What the cameras saw: the vision worker posts detection records; supervisors and auditors read each
camera rule's precision (how many of its alerts the seat operators confirmed rather than voided)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city import commands as city_commands
from city.detections.intake import MAX_RECORDS, rule_precision
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.schemas import Moment, Strict
from web.policy import READ_DETECTIONS, RECORD_DETECTIONS

bp = Blueprint("api_vision", __name__)


class DetectionRecord(Strict):
    """One thing a camera saw in one frame."""

    record_id = fields.String(required=True, validate=validate.Length(1, 200))
    camera_id = fields.String(required=True, validate=validate.Length(1, 60))
    observed_at = Moment(required=True)
    class_name = fields.String(required=True, validate=validate.Length(1, 40))
    score = fields.Float(required=True, validate=validate.Range(0, 1))
    x1 = fields.Float(required=True)
    y1 = fields.Float(required=True)
    x2 = fields.Float(required=True)
    y2 = fields.Float(required=True)
    track_id = fields.Integer(allow_none=True, validate=validate.Range(0, 2**31 - 1))
    zone_id = fields.String(allow_none=True, validate=validate.Length(1, 60))
    dwell_seconds = fields.Float(allow_none=True, validate=validate.Range(0))
    rule_id = fields.String(allow_none=True, validate=validate.Length(1, 60))
    subtype = fields.String(allow_none=True, validate=validate.Length(1, 10))
    case_no = fields.String(allow_none=True, validate=validate.Length(1, 24))


class DetectionBatch(Strict):
    detections = fields.List(fields.Nested(DetectionRecord), required=True,
                             validate=validate.Length(1, MAX_RECORDS))


class DetectionsStored(Strict):
    stored = fields.Integer()
    duplicates = fields.Integer()


class RulePrecision(Strict):
    camera_id = fields.String()
    rule_id = fields.String()
    cases = fields.Integer()
    confirmed = fields.Integer()
    false_positives = fields.Integer()
    pending = fields.Integer()
    other = fields.Integer()
    precision = fields.Float(allow_none=True)


class PrecisionQuery(Strict):
    since = Moment()


class PrecisionList(Strict):
    rules = fields.List(fields.Nested(RulePrecision))


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "observed_at": record["observed_at"].isoformat()}


@bp.post("/vision/detections")
@authenticated(RECORD_DETECTIONS)
def record() -> ResponseReturnValue:
    """Keep detection records (idempotent per record_id); 201 with how many were new."""
    body = DetectionBatch().load(json_body())
    bus = context.bus()
    result = bus.handle(city_commands.RecordDetections(tuple(_plain(r) for r in body["detections"]), caller().username,
                                           actor_kind=caller().actor_kind))
    return jsonify(DetectionsStored().dump(result)), 201


@bp.get("/vision/precision")
@authenticated(READ_DETECTIONS)
def precision() -> ResponseReturnValue:
    """Per camera and rule: alerts, confirmed at acceptance, voided (false positives), precision."""
    query = PrecisionQuery().load(request.args.to_dict())
    rules = rule_precision(context.deps(), query.get("since"))
    return jsonify(PrecisionList().dump({"rules": rules}))
