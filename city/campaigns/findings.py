"""ReportCampaignFinding: a finding on a grid's checklist item. Kind 'case' starts a lifecycle case in the same
transaction (channel ``census``: the lifecycle skips 核实 for it, as for a collector's own report), with the
finding's place in its start data (``campaign``: id, grid, topic, item); 'record' and 'watched' (a hazard followed
by its state) are kept with the campaign only. Every finding is an event in the grid's sweep case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city import commands as city_commands
from city.campaigns.commands import ReportCampaignFinding
from city.campaigns.place import TOLERANCE_M, distance_outside
from city.campaigns.recording import Target, target, topics_done
from city.campaigns.sweep_log import append_sweep_event, keep_runner
from city.campaigns.validation import REFUSED, finding_problems
from city.intake.report import LIFECYCLE, report_payload, report_problems, stored_problems
from city.persistence.read import campaign_rows as rows
from city.persistence.repositories.campaigns import CampaignStore
from engine.domain import events as ev
from engine.domain.forms import FieldsRejected
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import StartedCase, finish_bulk, start_cases_in
from engine.service.bus import HandlerContext
from engine.service.handlers import check_data, check_text

CHANNEL = "census"


def _report(cmd: ReportCampaignFinding) -> city_commands.ReportProblem:
    return city_commands.ReportProblem(cmd.subtype_code or "", cmd.description, cmd.lon, cmd.lat, CHANNEL, cmd.actor,
                                       evidence=tuple(cmd.evidence), actor_kind=cmd.actor_kind)


def _checked_place(uow: UnitOfWork, cmd: ReportCampaignFinding, found: Target) -> None:
    """The subtype one of the item's, the point in (or within the tolerance of) the grid."""
    problems: dict[str, str] = {}
    subtypes = found.item["subtypes"]
    if cmd.subtype_code is not None and cmd.subtype_code not in subtypes:
        problems["subtype_code"] = (f"item {found.item['code']!r} becomes one of: {', '.join(subtypes)}" if subtypes
                                    else f"item {found.item['code']!r} names no subtype: report it as a record")
    geometry = rows.grid_geometry(uow.store, cmd.grid_code)
    if geometry is not None:
        off = distance_outside(geometry, cmd.lon, cmd.lat)
        if off > TOLERANCE_M:
            problems["lon"] = f"the point is {off:.0f} m outside grid {cmd.grid_code} (at most {TOLERANCE_M:.0f} m)"
    if cmd.kind == "case":
        problems |= stored_problems(uow.store, _report(cmd))
    if problems:
        raise FieldsRejected(problems, REFUSED)


def _start_case(uow: UnitOfWork, ctx: HandlerContext, cmd: ReportCampaignFinding, now: datetime) -> StartedCase:
    payload = report_payload(_report(cmd))
    payload["campaign"] = {"id": cmd.campaign_id, "grid": cmd.grid_code, "topic": cmd.topic_code,
                           "item": cmd.item_code, "finding_key": cmd.finding_key}
    (started,) = start_cases_in(uow, ctx.deps, LIFECYCLE, [payload], cmd.actor, now,
                                actor_kind=cmd.actor_kind)
    return started


def _problems(cmd: ReportCampaignFinding) -> dict[str, str]:
    problems = finding_problems(cmd)
    if cmd.kind == "case" and not problems:
        problems = {k: v for k, v in report_problems(_report(cmd)).items() if k != "channel"}
    return problems


def report_campaign_finding(cmd: ReportCampaignFinding, ctx: HandlerContext) -> dict[str, Any]:
    """Record the finding (the same ``finding_key`` again returns the first): ``{finding_id, case_no}``."""
    deps = ctx.deps
    now = deps.clock.now()
    check_text(cmd.actor, "actor")
    problems = _problems(cmd)
    if problems:
        raise FieldsRejected(problems, REFUSED)
    data = check_data(cmd.data)
    started: StartedCase | None = None
    with deps.uow() as uow:
        found = target(uow, cmd)
        known = rows.finding_by_key(uow.store, cmd.campaign_id, cmd.finding_key)
        if known is not None:
            numbers = rows.case_numbers(uow.store, [known["case_id"]] if known["case_id"] else [])
            return {"finding_id": known["id"], "case_no": numbers.get(known["case_id"]), "created": False}
        _checked_place(uow, cmd, found)
        if cmd.kind == "case":
            started = _start_case(uow, ctx, cmd, now)
        repo = uow.repository(CampaignStore)
        finding_id = repo.insert_finding({
            "campaign_id": cmd.campaign_id, "grid_code": cmd.grid_code, "topic_code": cmd.topic_code,
            "item_code": cmd.item_code, "finding_key": cmd.finding_key, "kind": cmd.kind,
            "case_id": started.case_id if started else None, "subtype_code": cmd.subtype_code,
            "description": cmd.description, "lon": cmd.lon, "lat": cmd.lat, "data": data, "actor": cmd.actor}, now)
        repo.record_check(found.key, "finding", None, cmd.actor, now)
        repo.set_grid_progress(cmd.campaign_id, cmd.grid_code, topics_done(uow, found), 1)
        case_no = started.case_no if started else None
        versions = append_sweep_event(uow, deps, found.grid["case_id"], ev.CAMPAIGN_FINDING_RECORDED, {
            "finding": finding_id, "topic": cmd.topic_code, "item": cmd.item_code, "kind": cmd.kind,
            "subtype": cmd.subtype_code, "case_no": case_no}, cmd.actor, now, cmd.actor_kind)
    keep_runner(deps, found.grid["case_id"], versions)
    if started is not None:
        finish_bulk(deps, ctx, [started])
    return {"finding_id": finding_id, "case_no": case_no, "created": True}
