"""StartCampaign: a campaign's ``census_campaign`` case and one ``census_sweep`` case per unit grid of its area, with
the campaign's rows, in one transaction (``engine.service.bulk_starts``)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from city.campaigns.commands import StartCampaign
from city.campaigns.hazard_survey import KIND as HAZARD_SURVEY
from city.campaigns.validation import AREA_KEYS, REFUSED, start_problems
from city.persistence.read import campaign_pages
from city.persistence.read import campaign_rows as rows
from city.persistence.read.emergency import emergency as emergency_row
from city.persistence.repositories.campaigns import CampaignStore
from engine.domain.errors import ConcurrencyConflict, NotAllowed
from engine.domain.forms import FieldsRejected
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bulk_starts import finish_bulk, start_cases_in
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

CAMPAIGN_PROCESS = "census_campaign"
SWEEP_PROCESS = "census_sweep"
WARN_SHARE = 0.8  # the yellow light, and the teams' reminder, at 80 % of the period
RUNNERS = ("shift_lead", "supervisor", "admin")  # the census_campaign model's starters, and admins


def refuse_non_runners(uow: UnitOfWork, actor: str) -> None:
    """An account starts a campaign only as a shift lead, supervisor or admin (NotAllowed: 403); the city's own
    starts (an emergency's hazard survey by the system) name no account."""
    found = uow.accounts.user(actor)
    if found is not None and Principal(*found).role not in RUNNERS:
        raise NotAllowed(f"{actor} may not start a campaign (shift leads, supervisors and admins may)")


def _chosen_topics(store: CaseStore, cmd: StartCampaign) -> list[dict[str, Any]]:
    """The campaign's topics from the catalogue, in the command's order; unknown or disabled ones refused."""
    catalogue = {t["code"]: t for t in rows.topics(store)}
    problems = {f"topics.{i}": f"no enabled topic {code!r} in the city's catalogue (gridcase campaign topics)"
                for i, code in enumerate(cmd.topics) if code not in catalogue or not catalogue[code]["enabled"]}
    if problems:
        raise FieldsRejected(problems, REFUSED)
    return [{k: catalogue[code][k] for k in ("code", "name", "name_en", "group", "checklist")} for code in cmd.topics]


def _places(store: CaseStore, cmd: StartCampaign) -> dict[str, list[str]]:
    """The area (and the teams' districts and streets) checked against the city: unknown codes refused by field."""
    area = {k: sorted(set(cmd.area.get(k, []))) for k in AREA_KEYS}
    problems: dict[str, str] = {}
    for key in AREA_KEYS:
        known = rows.known_codes(store, key, area[key])
        problems |= {f"area.{key}": f"unknown {key[:-1]} {code!r}" for code in area[key] if code not in known}
    for index, team in enumerate(cmd.teams):
        for key in ("districts", "streets"):
            known = rows.known_codes(store, key, team.get(key, []))
            problems |= {f"teams.{index}.{key}": f"unknown {key[:-1]} {code!r}" for code in team.get(key, [])
                         if code not in known}
    if problems:
        raise FieldsRejected(problems, REFUSED)
    return area


def team_of(teams: list[dict[str, Any]], district: str, street: str | None) -> tuple[str | None, str]:
    """The team sweeping a grid (the first whose districts or streets hold it; a team naming neither takes every
    grid) and its task group; no team: the district's collectors (``collector:<district>``)."""
    for team in teams:
        places = team["districts"] or team["streets"]
        if not places or district in team["districts"] or (street is not None and street in team["streets"]):
            return team["name"], team["group"]
    return None, f"collector:{district}"


def _teams(cmd: StartCampaign) -> list[dict[str, Any]]:
    return [{"name": t["name"].strip(), "group": t["group"].strip(), "districts": list(t.get("districts", [])),
             "streets": list(t.get("streets", []))} for t in cmd.teams]


def _check_emergency(store: CaseStore, cmd: StartCampaign) -> None:
    """The named emergency exists; a second running hazard survey of it only with ``another`` (409). The
    emergency's case is locked first, so two quick starts are serialised and the second one sees the first."""
    if cmd.emergency_id is None:
        return
    found = emergency_row(store, cmd.emergency_id)
    if found is None:
        raise FieldsRejected({"emergency_id": f"no emergency {cmd.emergency_id}"}, REFUSED)
    if cmd.kind != HAZARD_SURVEY or cmd.another:
        return
    store.lock_case(int(found["case_id"]))
    running = [s for s in campaign_pages.emergency_surveys(store, cmd.emergency_id) if s["state"] == "running"]
    if running:
        raise ConcurrencyConflict(f"emergency {cmd.emergency_id} already has a running hazard survey (campaign"
                                  f" {running[0]['id']}): confirm another to start a second one", field="another")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def start_campaign(cmd: StartCampaign, ctx: HandlerContext) -> dict[str, Any]:
    """Check the campaign (422 naming every field at fault), start its cases and write its rows in one transaction:
    ``{campaign_id, case_id, case_no, grids}``."""
    deps = ctx.deps
    now = deps.clock.now()
    check_text(cmd.actor, "actor")
    problems = start_problems(cmd, now)
    if problems:
        raise FieldsRejected(problems, REFUSED)
    teams = _teams(cmd)
    warn_at = cmd.starts_at + (cmd.ends_at - cmd.starts_at) * WARN_SHARE
    with deps.uow() as uow:
        store = uow.store
        refuse_non_runners(uow, cmd.actor)
        _check_emergency(store, cmd)
        topics = _chosen_topics(store, cmd)
        area = _places(store, cmd)
        grids = rows.area_grids(store, area)
        if not grids:
            raise FieldsRejected({"area": "the area holds no unit grid"}, REFUSED)
        assigned = [(code, district, street, *team_of(teams, district, street)) for code, district, street in grids]
        groups = sorted({group for *_, group in assigned})
        end_key = secrets.token_hex(16)  # the campaign's and its sweeps' early end correlate on it
        (campaign,) = start_cases_in(uow, deps, CAMPAIGN_PROCESS, [{
            "name": cmd.name, "kind": cmd.kind, "starts_at": _iso(cmd.starts_at), "ends_at": _iso(cmd.ends_at),
            "warn_at": _iso(warn_at), "groups": groups, "grid_count": len(grids),
            "end_key": end_key}], cmd.actor, now,
            actor_kind=cmd.actor_kind)
        repo = uow.repository(CampaignStore)
        campaign_id = repo.insert_campaign({
            "case_id": campaign.case_id, "name": cmd.name, "kind": cmd.kind, "emergency_id": cmd.emergency_id,
            "topics": topics, "area": area, "teams": teams, "starts_at": cmd.starts_at, "ends_at": cmd.ends_at,
            "grid_count": len(grids), "started_by": cmd.actor}, now)
        codes = [t["code"] for t in topics]
        sweeps = start_cases_in(uow, deps, SWEEP_PROCESS, [
            {"campaign_id": campaign_id, "campaign": cmd.name, "grid": code, "topics_total": len(codes), "group": group,
             "due_at": _iso(cmd.ends_at), "warn_at": _iso(warn_at), "end_key": end_key}
            for code, _, _, _, group in assigned],
            cmd.actor, now, actor_kind=cmd.actor_kind, notify=False, numbers=False)  # the teams are told once
        repo.insert_grids([(campaign_id, code, sweep.case_id, district, street, team, group, cmd.ends_at)
                           for (code, district, street, team, group), sweep in zip(assigned, sweeps, strict=True)])
    finish_bulk(deps, ctx, [campaign, *sweeps])
    return {"campaign_id": campaign_id, "case_id": campaign.case_id, "case_no": campaign.case_no, "grids": len(grids)}
