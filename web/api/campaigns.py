"""Census campaigns' API (专项普查): /api/v1/campaigns…

Who may: ``RUN_CAMPAIGNS`` starts one and ends one early; ``READ_CAMPAIGNS`` reads lists, progress, grid states and
reports; a grid's sweepers (``SWEEP_CAMPAIGN_GRIDS``: the grid's task group — the command checks it) read its sheet,
tick items and report findings; ``FOLLOW_WATCHED_HAZARDS`` moves a watched hazard's state. Bodies are checked by
the schemas (shape: 422 naming the field) and again by the commands (values: topics, area, subtypes, 409 once a
grid is done).
Finishing a grid is the task API's ``POST /tasks/{id}/complete`` on its ``sweep_grid`` task.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from city.campaigns import views as campaign_reads
from city.campaigns.commands import (
    EndCampaign,
    RecordSweepCheck,
    ReportCampaignFinding,
    StartCampaign,
    UpdateWatchedHazard,
)
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import SHA256, Moment, Strict
from web.policy import (
    FOLLOW_WATCHED_HAZARDS,
    READ_CAMPAIGN_TOPICS,
    READ_CAMPAIGNS,
    RUN_CAMPAIGNS,
    SWEEP_CAMPAIGN_GRIDS,
    allows,
)

bp = Blueprint("campaigns_api", __name__)
CAMPAIGN = "/campaigns/<int(max=2147483647):campaign_id>"
CODE = validate.Length(min=1, max=40)
CODES = fields.List(fields.String(validate=CODE), validate=validate.Length(max=5000))


class AreaSchema(Strict):
    """Where the campaign sweeps: whole districts, streets (responsibility grids) or drawn unit grids."""

    districts = CODES
    streets = CODES
    grids = CODES


class TeamSchema(Strict):
    """A team: its name, the task group its grids' sweeps go to, and the districts/streets it covers."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    group = fields.String(required=True, validate=validate.Length(min=1, max=100))
    districts = CODES
    streets = CODES


class StartCampaignRequest(Strict):
    """Body of ``POST /campaigns`` (``StartCampaign``)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="census", validate=validate.OneOf(["census", "hazard_survey"]))
    topics = fields.List(fields.String(validate=CODE), required=True, validate=validate.Length(min=1, max=200))
    area = fields.Nested(AreaSchema, required=True)
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    teams = fields.List(fields.Nested(TeamSchema), load_default=list, validate=validate.Length(max=200))
    emergency_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**31 - 1))
    another = fields.Boolean(load_default=False, metadata={
        "description": "a hazard survey while the emergency has one running: refused (409) unless true"})


class EndCampaignRequest(Strict):
    """Body of ``POST /campaigns/{id}/end`` (``EndCampaign``): why the campaign ends before its period is over."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500),
                           metadata={"description": "结束原因: kept with the campaign and shown on its report"})


class CheckRequest(Strict):
    """Body of ``POST /campaigns/{id}/grids/{grid}/checks`` (``RecordSweepCheck``): 无问题 clear, or a count."""

    topic_code = fields.String(required=True, validate=CODE)
    item_code = fields.String(required=True, validate=CODE)
    result = fields.String(required=True, validate=validate.OneOf(["clear", "count"]))
    count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 1_000_000))


class FindingRequest(Strict):
    """Body of ``POST /campaigns/{id}/grids/{grid}/findings`` (``ReportCampaignFinding``)."""

    topic_code = fields.String(required=True, validate=CODE)
    item_code = fields.String(required=True, validate=CODE)
    finding_key = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                metadata={"description": "the client's key: the same key again is the same finding"})
    kind = fields.String(load_default="case", validate=validate.OneOf(["case", "record", "watched"]))
    subtype_code = fields.String(load_default=None, allow_none=True, validate=CODE)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    evidence = fields.List(fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=20))
    data = fields.Dict(load_default=dict)


class HazardStateRequest(Strict):
    """Body of ``POST /campaign-findings/{id}/state`` (``UpdateWatchedHazard``)."""

    state = fields.String(required=True, validate=validate.OneOf(["watched", "fixed", "escalated"]))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class FindingView(Schema):
    """A finding recorded (201) or found again by its key (200)."""

    finding_id = fields.Integer()
    case_no = fields.String(allow_none=True)


def _found(value: Any, what: str) -> Any:
    if value is None:
        raise ApiError(404, f"{what} not found")
    return value


def _sheet_for_caller(campaign_id: int, grid: str) -> dict[str, Any]:
    """The grid's sheet when the caller reads campaigns or sweeps this grid (its task group is theirs); else 404."""
    sheet = _found(campaign_reads.grid_sheet(context.deps(), campaign_id, grid), f"grid {grid} of campaign "
                                                                                 f"{campaign_id}")
    who = caller()
    if not allows(who, READ_CAMPAIGNS) and campaign_reads.task_group(sheet) not in who.groups:
        raise ApiError(404, f"grid {grid} of campaign {campaign_id} not found")
    return dict(sheet)


@bp.get("/campaign-topics")
@authenticated(READ_CAMPAIGN_TOPICS)
def topics() -> ResponseReturnValue:
    """The enabled topics with their checklists (``?group=census|hazard``)."""
    group = request.args.get("group") or None
    if group not in (None, "census", "hazard"):
        raise ApiError(422, "group must be census or hazard", {"group": "must be census or hazard"})
    return jsonify({"topics": campaign_reads.topics(context.deps(), group)})


@bp.post("/campaigns")
@authenticated(RUN_CAMPAIGNS)
def start() -> ResponseReturnValue:
    """Start a campaign: its case and one sweep case per unit grid of the area, in one transaction (201)."""
    body, who = StartCampaignRequest().load(json_body()), caller()
    area = {key: list(body["area"].get(key, [])) for key in ("districts", "streets", "grids")}
    teams = tuple({"name": t["name"], "group": t["group"], "districts": list(t.get("districts", [])),
                   "streets": list(t.get("streets", []))} for t in body["teams"])
    result = context.bus().handle(StartCampaign(
        body["name"], body["kind"], tuple(body["topics"]), area, body["starts_at"], body["ends_at"], teams,
        who.username, emergency_id=body["emergency_id"], another=body["another"], actor_kind=who.actor_kind))
    return jsonify(result), 201


@bp.post(CAMPAIGN + "/end")
@authenticated(RUN_CAMPAIGNS)
def end(campaign_id: int) -> ResponseReturnValue:
    """结束普查: end a running campaign early (its open sweeps closed, its report's review opened)."""
    body, who = EndCampaignRequest().load(json_body()), caller()
    result = context.bus().handle(EndCampaign(campaign_id, who.username, body["reason"], actor_kind=who.actor_kind))
    return jsonify({"campaign_id": result["campaign_id"], "state": "ended"})


@bp.get("/campaigns")
@authenticated(READ_CAMPAIGNS)
def campaign_list() -> ResponseReturnValue:
    """The newest campaigns first."""
    return jsonify({"campaigns": campaign_reads.campaign_list(context.deps())})


@bp.get(CAMPAIGN)
@authenticated(READ_CAMPAIGNS)
def campaign(campaign_id: int) -> ResponseReturnValue:
    """One campaign: topics, area, teams, period, its grids' counts."""
    return jsonify(_found(campaign_reads.summary(context.deps(), campaign_id), f"campaign {campaign_id}"))


@bp.get(CAMPAIGN + "/progress")
@authenticated(READ_CAMPAIGNS)
def progress(campaign_id: int) -> ResponseReturnValue:
    """Counts by topic, street and team, and the overdue grids."""
    return jsonify(_found(campaign_reads.progress(context.deps(), campaign_id), f"campaign {campaign_id}"))


@bp.get(CAMPAIGN + "/grids")
@authenticated(READ_CAMPAIGNS)
def grids(campaign_id: int) -> ResponseReturnValue:
    """Every grid's state, compact for the map: ``{grids: {code: [state, topics_done, findings]}, states}``."""
    return jsonify(_found(campaign_reads.compact_states(context.deps(), campaign_id), f"campaign {campaign_id}"))


@bp.get(CAMPAIGN + "/report")
@authenticated(READ_CAMPAIGNS)
def report(campaign_id: int) -> ResponseReturnValue:
    """Found, filed, fixed and open, by topic and by department."""
    return jsonify(_found(campaign_reads.report(context.deps(), campaign_id), f"campaign {campaign_id}"))


@bp.get(CAMPAIGN + "/grids/<grid>")
@authenticated(READ_CAMPAIGN_TOPICS)
def grid_sheet(campaign_id: int, grid: str) -> ResponseReturnValue:
    """One grid's sheet: its topics and items, what is recorded, its findings (its sweepers and readers)."""
    return jsonify(_sheet_for_caller(campaign_id, grid))


@bp.post(CAMPAIGN + "/grids/<grid>/checks")
@authenticated(SWEEP_CAMPAIGN_GRIDS)
def check(campaign_id: int, grid: str) -> ResponseReturnValue:
    """Tick one item: 无问题 (clear) or a count; 409 once the grid is done."""
    body, who = CheckRequest().load(json_body()), caller()
    if body["result"] == "count" and body["count"] is None:
        raise ApiError(422, "a count needs its count", {"count": "required when result is count"})
    context.bus().handle(RecordSweepCheck(campaign_id, grid, body["topic_code"], body["item_code"], body["result"],
                                          body["count"], who.username, actor_kind=who.actor_kind))
    return jsonify({"recorded": True, "topic_code": body["topic_code"], "item_code": body["item_code"]})


@bp.post(CAMPAIGN + "/grids/<grid>/findings")
@authenticated(SWEEP_CAMPAIGN_GRIDS)
def finding(campaign_id: int, grid: str) -> ResponseReturnValue:
    """Report a finding (a lifecycle case for kind 'case'): 201; the same ``finding_key`` again: 200, the same."""
    body, who = FindingRequest().load(json_body()), caller()
    known = campaign_reads.finding_id_by_key(context.deps(), campaign_id, body["finding_key"])
    result = context.bus().handle(ReportCampaignFinding(
        campaign_id, grid, body["topic_code"], body["item_code"], body["finding_key"], body["kind"],
        body["subtype_code"], body["description"], body["lon"], body["lat"], who.username,
        evidence=tuple(body["evidence"]), data=dict(body["data"]), actor_kind=who.actor_kind))
    return jsonify(FindingView().dump(result)), 200 if known is not None else 201


@bp.post("/campaign-findings/<int(max=2147483647):finding_id>/state")
@authenticated(FOLLOW_WATCHED_HAZARDS)
def hazard_state(finding_id: int) -> ResponseReturnValue:
    """Move a watched hazard to watched, fixed or escalated, with a note."""
    body, who = HazardStateRequest().load(json_body()), caller()
    context.bus().handle(UpdateWatchedHazard(finding_id, body["state"], body["note"], who.username,
                                             actor_kind=who.actor_kind))
    return jsonify({"finding_id": finding_id, "state": body["state"]})


ERRORS_READ = (401, 403, 404)
ERRORS_WRITE = (400, 401, 403, 404, 409, 422)
#: (path, method, summary, request schema, status, response schema, error statuses) for the OpenAPI document
CAMPAIGN_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/campaign-topics", "get", "普查专题 Campaign topics with their checklists (?group=census|hazard)", None, 200,
     None,
     (401, 403, 422)),
    ("/campaigns", "post", "发起专项普查 Start a campaign over an area for topics (shift leads, supervisors)",
     StartCampaignRequest, 201, None, (400, 401, 403, 409, 422)),
    ("/campaigns/{campaign_id}/end", "post", "结束普查 End a running campaign early: its open sweeps closed, its "
     "report's review opened (shift leads, supervisors)", EndCampaignRequest, 200, None, ERRORS_WRITE),
    ("/campaigns", "get", "Campaigns, newest first", None, 200, None, (401, 403)),
    ("/campaigns/{campaign_id}", "get", "One campaign with its grids' counts", None, 200, None, ERRORS_READ),
    ("/campaigns/{campaign_id}/progress", "get", "Counts by topic, street and team; overdue grids", None, 200, None,
     ERRORS_READ),
    ("/campaigns/{campaign_id}/grids", "get", "Every grid's state, compact, for the map", None, 200, None,
     ERRORS_READ),
    ("/campaigns/{campaign_id}/report", "get", "Found, filed, fixed, open by topic and department", None, 200, None,
     ERRORS_READ),
    ("/campaigns/{campaign_id}/grids/{grid}", "get", "A grid's sheet: topics, items, what is recorded, findings",
     None, 200, None, ERRORS_READ),
    ("/campaigns/{campaign_id}/grids/{grid}/checks", "post", "无问题 Tick a checklist item clear, or count it",
     CheckRequest, 200, None, ERRORS_WRITE),
    ("/campaigns/{campaign_id}/grids/{grid}/findings", "post", "上报问题 Report a finding (idempotent per finding_key: "
     "200 with the first)", FindingRequest, 201, FindingView, ERRORS_WRITE),
    ("/campaign-findings/{finding_id}/state", "post", "A watched hazard's state: watched, fixed or escalated",
     HazardStateRequest, 200, None, ERRORS_WRITE),
]
