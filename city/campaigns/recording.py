"""A collector's records in a grid: RecordSweepCheck (an item ticked "no problem" or counted), ReportCampaignFinding
(a finding: a lifecycle case, a record, or a watched hazard) and UpdateWatchedHazard — each one transaction that
locks the grid's sweep case, writes its rows and one event in that case's chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from city.campaigns.commands import RecordSweepCheck, ReportCampaignFinding, UpdateWatchedHazard
from city.campaigns.sweep_log import append_sweep_event, keep_runner
from city.campaigns.validation import NOTE_CHARS, REFUSED, WATCHED_STATES, check_problems, text_fault
from city.persistence.read import campaign_rows as rows
from city.persistence.repositories.campaigns import CampaignStore
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, NotAllowed, NotFound
from engine.domain.forms import FieldsRejected
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text


@dataclass(frozen=True)
class Target:
    """The campaign, grid, topic and checklist item a record is about (checked, the sweep case locked)."""

    campaign: dict[str, Any]
    grid: dict[str, Any]
    topic: dict[str, Any]
    item: dict[str, Any]

    @property
    def key(self) -> tuple[int, str, str, str]:
        return self.campaign["id"], self.grid["grid_code"], self.topic["code"], self.item["code"]


SWEEPERS = ("collector", "department_member")  # who sweeps a grid: its task group's people


def refuse_other_collectors(uow: UnitOfWork, actor: str, group: str) -> None:
    """A collector (or a department's member) records only in grids whose task group is theirs (NotAllowed: 403);
    the centre's roles are the web policy's to allow or not."""
    found = uow.accounts.user(actor)
    if found is None:
        return
    person = Principal(*found)
    if person.role in SWEEPERS and group not in person.groups:
        raise NotAllowed(f"{actor} does not sweep the grids of {group}")


def locked_grid(uow: UnitOfWork, campaign_id: int, grid_code: str, actor: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The campaign and its grid, the grid's sweep case locked (records of one grid are serialised)."""
    store = uow.store
    campaign = rows.campaign_row(store, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}", field="campaign_id")
    grid = rows.grid_row(store, campaign_id, grid_code)
    if grid is None:
        raise FieldsRejected({"grid_code": f"grid {grid_code!r} is not in campaign {campaign_id}"}, REFUSED)
    refuse_other_collectors(uow, actor, grid["task_group"])
    store.lock_case(grid["case_id"])
    return campaign, rows.grid_row(store, campaign_id, grid_code) or grid


def target(uow: UnitOfWork, cmd: RecordSweepCheck | ReportCampaignFinding) -> Target:
    """The record's target, checked: the grid in the campaign and open, the topic the campaign's, the item its."""
    campaign, grid = locked_grid(uow, cmd.campaign_id, cmd.grid_code, cmd.actor)
    topic = next((t for t in campaign["topics"] if t["code"] == cmd.topic_code), None)
    if topic is None:
        raise FieldsRejected({"topic_code": f"topic {cmd.topic_code!r} is not one of the grid's topics"}, REFUSED)
    item = next((i for i in topic["checklist"] if i["code"] == cmd.item_code), None)
    if item is None:
        raise FieldsRejected({"item_code": f"no item {cmd.item_code!r} in topic {topic['code']!r}"}, REFUSED)
    if grid["state"] == "done":
        raise ConcurrencyConflict(f"grid {grid['grid_code']} is done: its sweep was finished", field="grid_code")
    if grid["state"] == "ended":
        raise ConcurrencyConflict(f"grid {grid['grid_code']} is closed: its campaign was ended early",
                                  field="grid_code")
    return Target(campaign, grid, topic, item)


def topics_done(uow: UnitOfWork, found: Target) -> int:
    """How many of the campaign's topics have every item recorded in the grid (after this record)."""
    recorded = rows.recorded_items(uow.store, found.campaign["id"], found.grid["grid_code"])
    return sum(all((t["code"], i["code"]) in recorded for i in t["checklist"]) for t in found.campaign["topics"])


def record_sweep_check(cmd: RecordSweepCheck, ctx: HandlerContext) -> dict[str, Any]:
    """Record one item: 'clear' (无问题) or 'count'; ``{grid, topics_done}``."""
    deps = ctx.deps
    now = deps.clock.now()
    check_text(cmd.actor, "actor")
    problems = check_problems(cmd.result, cmd.count)
    if problems:
        raise FieldsRejected(problems, REFUSED)
    with deps.uow() as uow:
        found = target(uow, cmd)
        if cmd.result == "clear" and found.item["kind"] == "count":
            raise FieldsRejected({"result": f"item {cmd.item_code!r} is counted: send result 'count'"}, REFUSED)
        if cmd.result == "count" and found.item["kind"] != "count":
            raise FieldsRejected({"result": f"item {cmd.item_code!r} is a check: 'clear' or a finding"}, REFUSED)
        repo = uow.repository(CampaignStore)
        repo.record_check(found.key, cmd.result, cmd.count, cmd.actor, now)
        done = topics_done(uow, found)
        repo.set_grid_progress(found.campaign["id"], found.grid["grid_code"], done, 0)
        versions = append_sweep_event(uow, deps, found.grid["case_id"], ev.SWEEP_CHECK_RECORDED, {
            "topic": cmd.topic_code, "item": cmd.item_code, "result": cmd.result, "count": cmd.count},
            cmd.actor, now, cmd.actor_kind)
    keep_runner(deps, found.grid["case_id"], versions)
    return {"grid": cmd.grid_code, "topics_done": done}


def update_watched_hazard(cmd: UpdateWatchedHazard, ctx: HandlerContext) -> dict[str, Any]:
    """Move a watched hazard to ``state``, with a note; ``{finding_id, state}``."""
    deps = ctx.deps
    now = deps.clock.now()
    check_text(cmd.actor, "actor")
    problems = {} if cmd.state in WATCHED_STATES else {"state": "must be one of: " + ", ".join(WATCHED_STATES)}
    fault = text_fault(cmd.note, NOTE_CHARS, required=False)
    if fault is not None and cmd.note != "":
        problems["note"] = fault
    if problems:
        raise FieldsRejected(problems, REFUSED)
    with deps.uow() as uow:
        finding = rows.finding_row(uow.store, cmd.finding_id)
        if finding is None:
            raise NotFound(f"no finding {cmd.finding_id}", field="finding_id")
        if finding["kind"] != "watched":
            raise FieldsRejected({"finding_id": f"finding {cmd.finding_id} is not a watched hazard"}, REFUSED)
        _, grid = locked_grid(uow, finding["campaign_id"], finding["grid_code"], cmd.actor)
        uow.repository(CampaignStore).set_finding_state(cmd.finding_id, cmd.state)
        versions = append_sweep_event(uow, deps, grid["case_id"], ev.WATCHED_HAZARD_UPDATED, {
            "finding": cmd.finding_id, "state": cmd.state, "note": cmd.note or ""}, cmd.actor, now, cmd.actor_kind)
    keep_runner(deps, grid["case_id"], versions)
    return {"finding_id": cmd.finding_id, "state": cmd.state}
