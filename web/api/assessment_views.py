"""The assessment's read API (考评排名, 趋势, 地图, 月报; docs/assessment.md), READ_ASSESSMENTS (centre roles,
department members of the managing departments only, auditors, admins); every route only reads:

- ``GET /assessment/rankings?scheme=&period=&level=object|street|district|company&page=&per_page=``: the round's
  rows best first with rank (ties share), score, the previous period's score and the change, inspected / not
  inspected, a page at a time (``per_page`` ≤ 1000, default 100; ``total``: every row);
- ``GET /assessment/trends?scheme=&level=&code=&periods=12``: the level's averages over the last periods (the object
  level needs ``code``);
- ``GET /assessment/map?scheme=&period=``: GeoJSON of the round's objects with score and light;
- ``GET /assessment/report?scheme=&period=``: the period's report.

A bad ``scheme``, ``level``, ``period`` or ``periods`` is 422 naming it; a period without a round is 404 (no period:
the scheme's newest round with a score, else its newest round).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.assessment import standings, views
from web import context
from web.api.auth import authenticated
from web.api.schemas import Strict
from web.policy import READ_ASSESSMENTS

bp = Blueprint("assessment_views_api", __name__)
DEFAULT_PER_PAGE = 100


class SchemeQuery(Strict):
    """``scheme`` (required) and ``period`` (``2027-01`` garbage sorting, ``2027-Q1`` property)."""

    scheme = fields.String(required=True, validate=validate.OneOf(standings.SCHEMES))
    period = fields.String(validate=validate.Length(1, 10))


class RankingQuery(SchemeQuery):
    """A ranking's level (default object)."""

    level = fields.String(load_default="object", validate=validate.OneOf(standings.LEVELS))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=validate.Range(1, views.MAX_PER_PAGE))


class TrendQuery(Strict):
    """A trend's scheme, level (default district), key and number of periods (default 12)."""

    scheme = fields.String(required=True, validate=validate.OneOf(standings.SCHEMES))
    level = fields.String(load_default="district", validate=validate.OneOf(standings.LEVELS))
    code = fields.String(validate=validate.Length(1, 40))
    periods = fields.Integer(load_default=12, validate=validate.Range(1, views.MAX_TREND_PERIODS))
    until = fields.String(validate=validate.Length(1, 10))


class ReportQuery(SchemeQuery):
    """The report's period is required."""

    period = fields.String(required=True, validate=validate.Length(1, 10))


class Rankings(Strict):
    """The level's rows of the period's round, best first."""

    scheme = fields.String()
    period = fields.String()
    previous_period = fields.String()
    level = fields.String()
    round = fields.Dict()
    rows = fields.List(fields.Dict())
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Dict()


class Trends(Strict):
    """The overall line and one line per key over the periods."""

    scheme = fields.String()
    level = fields.String()
    code = fields.String(allow_none=True)
    periods = fields.List(fields.String())
    overall = fields.List(fields.Dict())
    series = fields.List(fields.Dict())


class ScoreMap(Strict):
    """A GeoJSON FeatureCollection (properties: code, name, kind, score, light …) and the counts per light."""

    type = fields.String()
    features = fields.List(fields.Dict())
    scheme = fields.String()
    period = fields.String()
    lights = fields.Dict()


class PeriodReport(Strict):
    """The period's report."""

    scheme = fields.String()
    period = fields.String()
    round = fields.Dict()
    totals = fields.Dict()
    districts = fields.List(fields.Dict())
    streets = fields.List(fields.Dict())
    lowest = fields.List(fields.Dict())
    highest = fields.List(fields.Dict())
    failed_items = fields.List(fields.Dict())
    rectifications = fields.Dict()
    credit = fields.List(fields.Dict())
    generated_at = fields.String()


@bp.get("/assessment/rankings")
@authenticated(READ_ASSESSMENTS)
def assessment_rankings() -> ResponseReturnValue:
    """The period's ranking at one level."""
    query = RankingQuery().load(request.args.to_dict())
    return jsonify(views.rankings(context.deps(), query["scheme"], query.get("period"), query["level"],
                                  query["page"], query["per_page"]))


@bp.get("/assessment/trends")
@authenticated(READ_ASSESSMENTS)
def assessment_trends() -> ResponseReturnValue:
    """A level's averages over the last periods."""
    query = TrendQuery().load(request.args.to_dict())
    return jsonify(views.trends(context.deps(), query["scheme"], query["level"], query.get("code"),
                                query["periods"], query.get("until")))


@bp.get("/assessment/map")
@authenticated(READ_ASSESSMENTS)
def assessment_map() -> ResponseReturnValue:
    """The round's objects coloured by score."""
    query = SchemeQuery().load(request.args.to_dict())
    return jsonify(views.map_document(context.deps(), query["scheme"], query.get("period")))


@bp.get("/assessment/report")
@authenticated(READ_ASSESSMENTS)
def assessment_report() -> ResponseReturnValue:
    """The period's report (月报 / 季报)."""
    query = ReportQuery().load(request.args.to_dict())
    return jsonify(views.report(context.deps(), query["scheme"], query["period"]))


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
ASSESSMENT_VIEW_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/assessment/rankings", "get", "考评排名 A round's ranking per object, street, district or property company: "
     "rank (ties share), score, change vs the previous period, inspected / not inspected", None, 200, Rankings,
     (401, 403, 404, 422)),
    ("/assessment/trends", "get", "考评趋势 A level's average scores over the last periods (overall and per key)",
     None, 200, Trends, (401, 403, 404, 422)),
    ("/assessment/map", "get", "考评地图 A round's objects as GeoJSON (compounds' polygons, other objects' points) "
     "with score and light", None, 200, ScoreMap, (401, 403, 404, 422)),
    ("/assessment/report", "get", "考评月报 A scheme period's report: totals, districts, streets, lowest and highest "
     "objects, failed items, rectifications, property credit events", None, 200, PeriodReport,
     (401, 403, 404, 422)),
]
_SCHEME: dict[str, Any] = {"name": "scheme", "in": "query", "required": True,
                           "schema": {"type": "string", "enum": list(standings.SCHEMES)}}
_PERIOD: dict[str, Any] = {"name": "period", "in": "query", "schema": {"type": "string", "maxLength": 10},
                           "description": "2027-01 (garbage_sorting) or 2027-Q1 (property); default the newest round"}
_LEVEL: dict[str, Any] = {"name": "level", "in": "query", "schema": {"type": "string",
                                                                    "enum": list(standings.LEVELS)}}
ASSESSMENT_VIEW_QUERIES: dict[str, list[dict[str, Any]]] = {
    "/assessment/rankings": [_SCHEME, _PERIOD, _LEVEL,
                             {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                             {"name": "per_page", "in": "query", "schema": {
                                 "type": "integer", "minimum": 1, "maximum": views.MAX_PER_PAGE, "default": 100}}],
    "/assessment/trends": [_SCHEME, _LEVEL, {"name": "code", "in": "query", "schema": {"type": "string"},
                                             "description": "the key's line only; required for level=object"},
                           {"name": "periods", "in": "query", "schema": {
                               "type": "integer", "minimum": 1, "maximum": views.MAX_TREND_PERIODS}},
                           {"name": "until", "in": "query", "schema": {"type": "string", "maxLength": 10}}],
    "/assessment/map": [_SCHEME, _PERIOD],
    "/assessment/report": [_SCHEME, {**_PERIOD, "required": True}],
}
