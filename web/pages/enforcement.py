"""Enforcement pages (智慧执法; docs/enforcement-records.md): the record search (``/enforcement``: the filters as a
form, the matches a page at a time, newest transfer first), one record (``/enforcement/<id>``: its milestones with their
times, party, decision, links to its enforcement case and the case it came from) and the enforcement teams' KPIs
(``/kpi/enforcement``). Read through ``city.enforcement.records`` and ``city.kpi.enforcement`` with the API's query
schemas, so a filter the API refuses is refused here, shown beside its field (422); a department member sees their own
team's records and KPI row only, as over the API."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import ValidationError

from city.enforcement import records
from city.kpi.enforcement import enforcement_kpis
from engine.domain.errors import InvalidCommand, NotFound
from web.api.enforcement import MAX_ENFORCEMENT_ID, EnforcementQuery, own_team, search_filter, sees_party_ids
from web.api.kpi import this_month
from web.context import deps
from web.pages.common import bp, me, signed_in
from web.policy import READ_ENFORCEMENT, READ_KPIS

FORM_FIELDS = ("number", "party", "team", "stage", "subtype", "legal_basis", "from", "to", "has_fine")


def stage_labels() -> dict[str, str]:
    """Stages and milestones, in the page's language."""
    return {"filing": _("立案审批"), "investigation": _("调查取证"), "notice": _("告知"), "decision": _("处罚决定"),
            "service": _("送达"), "execution": _("执行"), "closed": _("结案"), "refused": _("不予立案"),
            "transferred": _("移送执法"), "filed": _("立案"), "decided": _("作出处罚决定"), "served": _("送达"),
            "executed": _("执行完毕")}


def penalty_labels() -> dict[str, str]:
    """Penalty kinds and party kinds, in the page's language."""
    return {"warning": _("警告"), "fine": _("罚款"), "confiscation": _("没收"), "order": _("责令改正"),
            "none": _("不予处罚"), "person": _("个人"), "organisation": _("单位")}


def load_query(args: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The search query from the form's values (empty ones left out) and the errors by field: a refused value is
    dropped and the rest searched."""
    given = {k: v.strip() for k, v in args.items() if v.strip()}
    errors: dict[str, str] = {}
    for _attempt in range(3):  # each pass drops the fields refused by the last
        try:
            return EnforcementQuery().load(given), errors
        except ValidationError as exc:
            messages = exc.normalized_messages()
            for field, message in messages.items() if isinstance(messages, dict) else ():
                errors[str(field)] = " ".join(message) if isinstance(message, list) else str(message)
                given.pop(str(field), None)
    return EnforcementQuery().load({}), errors


@bp.get("/enforcement")
@signed_in(READ_ENFORCEMENT)
def enforcement_page() -> ResponseReturnValue:
    """The search form and a page of matching records."""
    query, errors = load_query(request.args.to_dict())
    team_only = own_team(me())
    found = records.search_records(deps(), search_filter(query), query["page"], query["per_page"], team_only,
                                   sees_party_ids(me()))
    form = {name: request.args.get(name, "") for name in FORM_FIELDS if name not in errors}
    return render_template("enforcement.html", found=found, form=form, errors=errors,
                           teams=records.teams(deps(), team_only), stages=stage_labels(),
                           party_ids=sees_party_ids(me()),
                           penalties=penalty_labels()), 422 if errors else 200


@bp.get(f"/enforcement/<int(max={MAX_ENFORCEMENT_ID}):enforcement_id>")
@signed_in(READ_ENFORCEMENT)
def enforcement_record_page(enforcement_id: int) -> ResponseReturnValue:
    """One record (404 for an unknown id or another team's)."""
    try:
        found = records.record(deps(), enforcement_id, own_team(me()), sees_party_ids(me()))
    except NotFound:
        abort(404)
    return render_template("enforcement_record.html", r=found, stages=stage_labels(), penalties=penalty_labels())


@bp.get("/kpi/enforcement")
@signed_in(READ_KPIS)
def enforcement_kpi_page() -> ResponseReturnValue:
    """The enforcement teams' KPIs over the chosen period (default this month); a bad period is shown by its field
    (400) with this month's figures."""
    team = own_team(me())
    period = (request.args.get("period") or "").strip() or this_month(deps().clock.now())
    error, status = None, 200
    try:
        found = enforcement_kpis(deps(), period, team)
    except InvalidCommand as exc:
        error, status = exc.message, 400
        found = enforcement_kpis(deps(), this_month(deps().clock.now()), team)
    return render_template("kpi_enforcement.html", found=found, error=error, period=period,
                           stages=stage_labels()), status
