"""Property companies' credit API (物业信用): /api/v1/property/companies.

``READ_ASSESSMENTS`` reads the companies ranked by credit score and one company's credit file (its events a page at
a time, its points by month, its compounds with their latest inspection score)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from city.assessment import credit_views as views
from web import context
from web.api.auth import authenticated
from web.api.query_args import whole_arg
from web.policy import READ_ASSESSMENTS

bp = Blueprint("property_credit_api", __name__)


@bp.get("/property/companies")
@authenticated(READ_ASSESSMENTS)
def companies() -> ResponseReturnValue:
    """The property companies, best credit score first: rank, score, grade, points, compounds, events and the
    latest inspection average."""
    return jsonify({"companies": views.ranked_companies(context.deps())})


@bp.get("/property/companies/<code>")
@authenticated(READ_ASSESSMENTS)
def credit_file(code: str) -> ResponseReturnValue:
    """One company's credit file (``?page=``, ``?per_page=`` page its events, newest first)."""
    page = whole_arg("page", 1, 1, views.MAX_PAGE)
    per_page = whole_arg("per_page", views.PER_PAGE, 1, views.MAX_PER_PAGE)
    return jsonify(views.credit_file(context.deps(), code, page, per_page))


PROPERTY_CREDIT_QUERIES = {
    "/property/companies/{code}": [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": views.MAX_PAGE}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                       "maximum": views.MAX_PER_PAGE}}],
}
#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
PROPERTY_CREDIT_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/property/companies", "get", "物业企业信用 Property companies, best credit score first (100 less the last 365"
     " days' points, 0–100; grade A ≥ 90, B ≥ 75, C ≥ 60, D), with their compounds, events and latest inspection"
     " average", None, 200, None, (401, 403)),
    ("/property/companies/{code}", "get", "信用档案 One company's credit file: events newest first (?page=,"
     " ?per_page=), points by month over 12 months, its compounds with their latest inspection score", None, 200,
     None, (401, 403, 404, 422)),
]
