"""KPIs over the API: rankings by level, a department's dashboard, the settings in force and their versions.

Supervisors, shift leads, auditors and admins read everything; a department member reads the unit
rankings (department, district, street) and its own department's dashboard (another's is 404).
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from city.kpi.formulas import LEVELS
from city.kpi.ranking import department_dashboard, ranking
from city.kpi.versions import config_versions, current_config
from engine.domain.city_zone import city_zone
from engine.service.accounts import Principal
from web import context
from web.api.auth import authenticated, caller
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import READ_ALL_KPIS, READ_KPIS, allows

UNIT_LEVELS = ("department", "district", "street")
CODE = re.compile(r"[A-Za-z0-9_-]{1,30}")  # department codes: anything else is not one (404)
bp = Blueprint("api_kpi", __name__)


class KpiQuery(Strict):
    """``?period=2026-10`` (or ``2026-10-01..2026-10-15``; default this month) ``&level=department``."""

    period = fields.String(validate=validate.Length(1, 30))
    level = fields.String(load_default="department", validate=validate.OneOf(list(LEVELS)))


class DashboardQuery(Strict):
    period = fields.String(validate=validate.Length(1, 30))


class KpiRanking(Strict):
    period = fields.String()
    level = fields.String()
    start = fields.String()
    end = fields.String()
    as_of = fields.String()
    config = fields.Dict()
    terms = fields.Dict()
    indicators = fields.List(fields.Dict())
    rows = fields.List(fields.Dict())
    without_work = fields.List(fields.Dict())  # units or people with nothing to judge: not ranked


def this_month(now: datetime) -> str:
    """The current month in city time (yyyy-mm)."""
    return f"{now.astimezone(city_zone()):%Y-%m}"


def may_see_department(who: Principal, code: str) -> bool:
    """Centre roles see every department; a department member only its own."""
    return allows(who, READ_ALL_KPIS) or (who.role == "department_member" and who.department == code)


def check_level(who: Principal, level: str) -> None:
    """403 when a department member asks for the collector or dispatcher ranking (people's results)."""
    if not allows(who, READ_ALL_KPIS) and level not in UNIT_LEVELS:
        raise ApiError(403, f"role {who.role} may read the {', '.join(UNIT_LEVELS)} rankings only",
                       {"level": "not allowed for this role"})


@bp.get("/kpi/ranking")
@authenticated(READ_KPIS)
def kpi_ranking() -> ResponseReturnValue:
    """Every unit of the level with its indicators, composite score (综合指标值) and rank."""
    query = KpiQuery().load(request.args.to_dict())
    check_level(caller(), query["level"])
    period = query.get("period") or this_month(context.deps().clock.now())
    return jsonify(ranking(context.deps(), period, query["level"]))


@bp.get("/kpi/departments/<code>")
@authenticated(READ_KPIS)
def kpi_department(code: str) -> ResponseReturnValue:
    """A department's own indicators, rank and open work by light."""
    query = DashboardQuery().load(request.args.to_dict())
    if not CODE.fullmatch(code) or not may_see_department(caller(), code):
        raise ApiError(404, f"department {code} not found")
    period = query.get("period") or this_month(context.deps().clock.now())
    return jsonify(department_dashboard(context.deps(), code, period))


@bp.get("/kpi/config")
@authenticated(READ_KPIS)
def kpi_config() -> ResponseReturnValue:
    """The settings in force (weights, limits, formulas) and every applied version."""
    config = current_config(context.deps())
    return jsonify({"version": config.version, "sha256": config.sha256, "weights": config.weights,
                    "texts": config.texts, "terms": config.terms,
                    "limits": {k: {"amount": v.amount, "unit": v.unit} for k, v in config.limits.items()},
                    "versions": config_versions(context.deps())})


# (path, method, summary, request, status, response, errors) rows for web.api.openapi, and their queries
KPI_OPERATIONS = [
    ("/kpi/ranking", "get", "KPI ranking of a level for a period: indicators, composite score, rank", None, 200,
     KpiRanking, (401, 403, 422)),
    ("/kpi/departments/{code}", "get", "A department's KPIs, rank and open work by light", None, 200, None,
     (401, 403, 404, 422)),
    ("/kpi/config", "get", "The KPI settings in force and their applied versions", None, 200, None, (401, 403)),
]
KPI_QUERIES = {"/kpi/ranking": [{"in": "query", "schema": KpiQuery}],
               "/kpi/departments/{code}": [{"in": "query", "schema": DashboardQuery}]}
