"""The census campaigns' commands (专项普查): start a campaign, record a grid's checks and findings, follow a watched
hazard. Finishing a grid is no command of its own: its ``sweep_grid`` task is completed through the normal task
API (``CompleteHumanTask``), which the model refuses while topics are unrecorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.domain.commands import Command


@dataclass(frozen=True)
class StartCampaign(Command):
    """Start a campaign over ``area`` (``{districts: [], streets: [], grids: []}``) for ``topics`` (topic codes) from
    ``starts_at`` to ``ends_at`` (UTC): the ``census_campaign`` case and one ``census_sweep`` case per unit grid of
    the area, in one transaction. ``teams``: ``({name, group, districts: [], streets: []}, …)`` — a grid's sweep goes
    to the first team covering its district or street, else to ``collector:<district>``. ``kind``: 'census' or
    'hazard_survey' (an emergency's, ``emergency_id``: refused (409) while the emergency has a running survey,
    unless ``another``). Returns ``{campaign_id, case_id, case_no, grids}``."""

    name: str
    kind: str
    topics: tuple[str, ...]
    area: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    teams: tuple[dict[str, Any], ...]
    actor: str
    emergency_id: int | None = None
    another: bool = False


@dataclass(frozen=True)
class RecordSweepCheck(Command):
    """Record one checklist item of a grid's topic: 'clear' (no problem, 无问题) or 'count' (an inventory count,
    ``count``). Refused (409) once the grid is done; a collector records only in grids whose task group is theirs."""

    campaign_id: int
    grid_code: str
    topic_code: str
    item_code: str
    result: str
    count: int | None
    actor: str


@dataclass(frozen=True)
class ReportCampaignFinding(Command):
    """Report a finding on a checklist item: kind 'case' starts a lifecycle case (channel ``census``, skipping 核实),
    'record' and 'watched' (a hazard followed by its state) are kept with the campaign. Idempotent on
    ``finding_key`` (per campaign): the same key again returns the first finding. Returns
    ``{finding_id, case_no}`` (``case_no`` None unless kind 'case')."""

    campaign_id: int
    grid_code: str
    topic_code: str
    item_code: str
    finding_key: str
    kind: str
    subtype_code: str | None
    description: str
    lon: float
    lat: float
    actor: str
    evidence: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateWatchedHazard(Command):
    """Move a watched hazard (a hazard survey's 'watched' finding) to ``state`` ('watched', 'fixed' or 'escalated')
    with a note; recorded in the sweep case's chain."""

    finding_id: int
    state: str
    note: str
    actor: str


@dataclass(frozen=True)
class EndCampaign(Command):
    """End running campaign ``campaign_id`` before its period is over (结束普查), for ``reason``: the campaign case
    catches the model's ``end_campaign`` message, opens its report's review as at the period's end and closes every
    open sweep (the ``campaign_ended`` message). Shift leads, supervisors and admins (as StartCampaign)."""

    campaign_id: int
    actor: str
    reason: str
