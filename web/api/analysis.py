"""The analysis API: heat map per unit grid, heat-layer points, a grid's cases, hot spots, trends, and the
unit grids' lean polygons for the choropleth (cached by the browser: ETag and max-age).

Supervisors, shift leads, dispatchers, auditors and admins (403 for everyone else). Bad filters are
422 naming the field (``subtype``, ``aspect``, ``month``, ``until``, …).
"""

from __future__ import annotations

import calendar
import hashlib
import json
from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError, fields, validate, validates_schema

from city.analysis import service as analysis
from city.analysis.filter import SOURCES, AnalysisFilter
from city.package.profile import channel_codes
from web import context
from web.api.auth import authenticated
from web.api.schemas import Strict
from web.policy import READ_ANALYSIS

CODE = validate.Regexp(r"^[0-9A-Za-z_-]{1,40}$", error="letters, digits, '-' or '_' (at most 40)")
YEAR_ONE, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # months around a period stay representable
FILTER_FIELDS = ("subtype", "aspect", "channel", "source", "department", "month", "since", "until")
bp = Blueprint("api_analysis", __name__)


class AnalysisQuery(Strict):
    """The filters every analysis call takes: a month (yyyy-mm) or days since..until (both included)."""

    subtype = fields.String(validate=CODE)
    aspect = fields.String(validate=CODE)
    channel = fields.String(validate=validate.Length(min=1, max=30))  # a code of the city's channels
    source = fields.String(validate=validate.OneOf(SOURCES))
    department = fields.String(validate=CODE)
    month = fields.String(validate=validate.Regexp(r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$", error="yyyy-mm (1900–2999)"))
    since = fields.Date(validate=validate.Range(YEAR_ONE, LAST_DAY, error="a date in 1900–2999"))
    until = fields.Date(validate=validate.Range(YEAR_ONE, LAST_DAY, error="a date in 1900–2999"))

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("month") and (data.get("since") or data.get("until")):
            raise ValidationError("give a month or since/until, not both", "month")
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be before since", "until")


class PointsQuery(AnalysisQuery):
    limit = fields.Integer(load_default=5000, validate=validate.Range(1, 20000))


class GridCasesQuery(AnalysisQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class HotspotsQuery(AnalysisQuery):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 200))


class TrendsQuery(AnalysisQuery):
    by = fields.String(load_default="day", validate=validate.OneOf(("day", "week", "month")))


def load_filter(schema: AnalysisQuery, args: Any) -> tuple[AnalysisFilter, dict[str, Any]]:
    """The filter and the other parameters of a query string; 422 naming the field when bad."""
    query = schema.load({k: v for k, v in args.items() if v != "" and k != "lang"})
    month = query.pop("month", None)
    if month is not None:
        year, number = int(month[:4]), int(month[5:])
        query["since"] = date(year, number, 1)
        query["until"] = date(year, number, calendar.monthrange(year, number)[1])
    picked = {k: query.pop(k) for k in FILTER_FIELDS if k in query}
    if "channel" in picked:
        with context.deps().uow(read_only=True) as uow:  # any channel the city has had: old cases keep theirs
            known = channel_codes(uow.store, active_only=False)
        if picked["channel"] not in known:
            raise ValidationError({"channel": [f"no channel {picked['channel']} (the city's: {', '.join(known)})"]})
    return analysis.resolve(context.deps(), **picked), query


@bp.get("/analysis/heatmap")
@authenticated(READ_ANALYSIS)
def heatmap() -> ResponseReturnValue:
    """Cases per unit grid: ``{grids: {code: cases}, max, total}``."""
    flt, _ = load_filter(AnalysisQuery(), request.args)
    return jsonify(analysis.heat_map(context.deps(), flt))


@bp.get("/analysis/points")
@authenticated(READ_ANALYSIS)
def points() -> ResponseReturnValue:
    """The latest ``limit`` matching cases' [lat, lon], for the heat layer."""
    flt, rest = load_filter(PointsQuery(), request.args)
    return jsonify(analysis.points(context.deps(), flt, rest["limit"]))


@bp.get("/analysis/grids/<unit_grid>/cases")
@authenticated(READ_ANALYSIS)
def grid_cases(unit_grid: str) -> ResponseReturnValue:
    """One unit grid's matching cases, newest first, a page of them."""
    flt, rest = load_filter(GridCasesQuery(), request.args)
    return jsonify(analysis.grid_cases(context.deps(), unit_grid[:40], flt, rest["page"], rest["per_page"]))


@bp.get("/analysis/hotspots")
@authenticated(READ_ANALYSIS)
def hotspots() -> ResponseReturnValue:
    """Top subtypes per grid and street, recurring locations, cases reworked or returned repeatedly."""
    flt, rest = load_filter(HotspotsQuery(), request.args)
    return jsonify(analysis.hotspots(context.deps(), flt, rest["limit"]))


@bp.get("/analysis/trends")
@authenticated(READ_ANALYSIS)
def trends() -> ResponseReturnValue:
    """Cases per day, week or month and the top subtypes' series."""
    flt, rest = load_filter(TrendsQuery(), request.args)
    return jsonify(analysis.trends(context.deps(), flt, rest["by"]))


@bp.get("/analysis/grid-shapes")
@authenticated(READ_ANALYSIS)
def grid_shapes() -> ResponseReturnValue:
    """Every unit grid's polygon, lean (1 m precision, code and street only); the browser keeps it an hour
    and revalidates with its ETag."""
    body = json.dumps(analysis.grid_shapes(context.deps()), ensure_ascii=False, separators=(",", ":"))
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response.make_conditional(request)


# For the OpenAPI document (web/api/openapi.py): (path, method, summary, request, status, response, errors).
ANALYSIS_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/analysis/heatmap", "get", "Cases per unit grid for the filters (analysts)", None, 200, None, (401, 403, 422)),
    ("/analysis/points", "get", "The latest matching cases' [lat, lon] for the heat layer", None, 200, None,
     (401, 403, 422)),
    ("/analysis/grids/{unit_grid}/cases", "get", "One unit grid's matching cases, newest first", None, 200, None,
     (401, 403, 422)),
    ("/analysis/hotspots", "get", "Top subtypes per grid and street, recurring locations, repeated reworks/returns",
     None, 200, None, (401, 403, 422)),
    ("/analysis/trends", "get", "Cases per day, week or month and the top subtypes' series", None, 200, None,
     (401, 403, 422)),
    ("/analysis/grid-shapes", "get", "Every unit grid's polygon, lean, for the choropleth (ETag)", None, 200, None,
     (401, 403)),
]
ANALYSIS_QUERIES: dict[str, list[dict[str, Any]]] = {
    "/analysis/heatmap": [{"in": "query", "schema": AnalysisQuery}],
    "/analysis/points": [{"in": "query", "schema": PointsQuery}],
    "/analysis/grids/{unit_grid}/cases": [{"in": "query", "schema": GridCasesQuery}],
    "/analysis/hotspots": [{"in": "query", "schema": HotspotsQuery}],
    "/analysis/trends": [{"in": "query", "schema": TrendsQuery}],
}
