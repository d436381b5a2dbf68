"""Enforcement records and the enforcement teams' KPIs over the API (智慧执法; docs/enforcement-records.md); every route
only reads:

- ``GET /enforcement/cases?number=&party=&team=&stage=&subtype=&legal_basis=&from=&to=&has_fine=&page=&per_page=``:
  the search (newest transfer first; ``from``/``to`` are days of transfer in the city's zone, both included);
- ``GET /enforcement/cases/{id}``: one record (its milestones, party, decision, enforcement and origin case);
- ``GET /kpi/enforcement?period=&team=``: the teams' KPIs over a period (default this month).

READ_ENFORCEMENT reads records: the centre, auditors, admins, and a department member their own team's only (another
team's record is 404, a search for another team finds nothing). READ_KPIS reads the KPIs: READ_ALL_KPIS every team,
a department member their own team's row (another team is 404). Bad input is 422 naming the field. The party's id
is shown whole to the record's team (department members read only their own team's), auditors and admins; every
other reader sees it masked and searches parties by name only (``sees_party_ids``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError, fields, validate, validates_schema

from city.enforcement import records
from city.kpi.enforcement import enforcement_kpis
from city.persistence.read.enforcement_search import EnforcementFilter
from engine.domain.city_zone import city_zone
from engine.persistence.enforcement_records import STAGES
from engine.service.accounts import Principal
from web import context
from web.api.auth import authenticated, caller
from web.api.errors import ApiError
from web.api.kpi import may_see_department, this_month
from web.api.schemas import Strict
from web.policy import READ_ENFORCEMENT, READ_KPIS, READ_PARTY_IDS, allows

bp = Blueprint("api_enforcement", __name__)
CODE = re.compile(r"[A-Za-z0-9_-]{1,20}\Z")  # Regexp matches from the start: \Z makes it the whole value
MAX_ENFORCEMENT_ID = 2**31 - 1
DAYS = validate.Range(date(2000, 1, 1), date(2999, 12, 31), error="a day in 2000–2999")


class EnforcementQuery(Strict):
    """The search's filters and page."""

    number = fields.String(validate=validate.Length(1, 60))
    party = fields.String(validate=validate.Length(1, 200))
    team = fields.String(validate=validate.Regexp(CODE, error="a department code"))
    stage = fields.String(validate=validate.OneOf(STAGES))
    subtype = fields.String(validate=validate.Regexp(CODE, error="a subtype code"))
    legal_basis = fields.String(validate=validate.Length(1, 200))
    since = fields.Date(data_key="from", validate=DAYS)
    until = fields.Date(data_key="to", validate=DAYS)
    has_fine = fields.Boolean()
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, records.MAX_PER_PAGE))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be before from", "to")


class EnforcementKpiQuery(Strict):
    """``?period=2026-10`` (or ``2026-10-01..2026-10-15``; default this month) ``&team=350602-D03``."""

    period = fields.String(validate=validate.Length(1, 30))
    team = fields.String(validate=validate.Regexp(CODE, error="a department code"))


class EnforcementList(Strict):
    """A page of enforcement records and how many match."""

    filters = fields.Dict()
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    records = fields.List(fields.Dict())


class EnforcementKpis(Strict):
    """The enforcement teams' KPIs over a period and their total."""

    period = fields.String()
    start = fields.String()
    end = fields.String()
    as_of = fields.String()
    teams = fields.List(fields.Dict())
    total = fields.Dict()


def sees_party_ids(who: Principal) -> bool:
    """Whether ``who`` sees parties' ids whole and searches by them: the record's team, auditors and admins."""
    return allows(who, READ_PARTY_IDS)


def own_team(who: Principal) -> str | None:
    """The team a department member is limited to (their department); None for those who read every team."""
    return (who.department or "") if who.role == "department_member" else None


def search_filter(query: dict[str, Any]) -> EnforcementFilter:
    """The read model's filter from a loaded ``EnforcementQuery`` (days of transfer in the city's zone)."""
    zone = city_zone()
    since = datetime.combine(query["since"], time(), zone) if query.get("since") else None
    until = datetime.combine(query["until"] + timedelta(days=1), time(), zone) if query.get("until") else None
    return EnforcementFilter(query.get("number"), query.get("party"), query.get("team"), query.get("stage"),
                             query.get("subtype"), query.get("legal_basis"), since, until, query.get("has_fine"))


@bp.get("/enforcement/cases")
@authenticated(READ_ENFORCEMENT)
def enforcement_cases() -> ResponseReturnValue:
    """Enforcement records matching the filters, a page at a time."""
    query = EnforcementQuery().load(request.args.to_dict())
    who = caller()
    found = records.search_records(context.deps(), search_filter(query), query["page"], query["per_page"],
                                   own_team(who), sees_party_ids(who))
    shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in query.items()}
    return jsonify({"filters": {("from" if k == "since" else "to" if k == "until" else k): v
                                for k, v in shown.items()}, **found})


@bp.get(f"/enforcement/cases/<int(max={MAX_ENFORCEMENT_ID}):enforcement_id>")
@authenticated(READ_ENFORCEMENT)
def enforcement_case(enforcement_id: int) -> ResponseReturnValue:
    """One enforcement record (404 for an unknown id or another team's)."""
    Strict().load(request.args.to_dict())
    who = caller()
    return jsonify(records.record(context.deps(), enforcement_id, own_team(who), sees_party_ids(who)))


@bp.get("/kpi/enforcement")
@authenticated(READ_KPIS)
def enforcement_kpi() -> ResponseReturnValue:
    """The enforcement teams' KPIs over a period; a department member's own team only."""
    query = EnforcementKpiQuery().load(request.args.to_dict())
    who = caller()
    team = query.get("team")
    if team is not None and not may_see_department(who, team):
        raise ApiError(404, f"team {team} not found")
    own = own_team(who)  # a department member's own row whatever is asked
    period = query.get("period") or this_month(context.deps().clock.now())
    return jsonify(enforcement_kpis(context.deps(), period, team if own is None else own))


#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
ENFORCEMENT_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/enforcement/cases", "get", "执法案件查询 Enforcement records by number (文书号), party, team, stage, subtype, "
     "legal basis, days of transfer and fine; newest first, a page at a time (department members: their team's)",
     None, 200, EnforcementList, (401, 403, 422)),
    ("/enforcement/cases/{enforcement_id}", "get", "执法案件档案 One enforcement record: its milestones, party, "
     "decision, enforcement case and origin case", None, 200, None, (401, 403, 404, 422)),
    ("/kpi/enforcement", "get", "执法队伍考核 The enforcement teams' KPIs over a period (default this month): "
     "transferred, filed, refused, closed, open by stage, days to close, closed within 90 days, fines",
     None, 200, EnforcementKpis, (401, 403, 404, 422)),
]
ENFORCEMENT_QUERIES: dict[str, list[dict[str, Any]]] = {
    "/enforcement/cases": [{"in": "query", "schema": EnforcementQuery}],
    "/kpi/enforcement": [{"in": "query", "schema": EnforcementKpiQuery}],
}
