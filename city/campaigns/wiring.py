"""What the campaigns capability adds to a city's bus beyond its handlers: the script helpers ``sweep_progress`` (the
sweep model asks it before a grid may be finished) and ``open_sweeps`` (the campaign model at an early end), their
answers recorded with the step so a replay gets the same; and the step hook that keeps the campaign's rows in step
with its cases (a grid done when its sweep case ends, or ended by an early end; the campaign ended when its period
is over or was ended early)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from city.persistence.read import campaign_rows as rows
from city.persistence.repositories.campaigns import CampaignStore
from engine.bpmn.environment import kept
from engine.domain import events as ev
from engine.persistence.uow import UnitOfWork
from engine.service.bus import MessageBus
from engine.service.step_hooks import StepWritten
from engine.service.step_reads import step_store

PERIOD_OVER = "period_over"  # the census_campaign model's data flag once its period has ended
ENDED_EARLY = "ended_early"  # both models' data flag when EndCampaign ended the period (and closed the sweep)
# The campaign models' own messages: EndCampaign delivers end_campaign, the campaign case throws campaign_ended.
INTERNAL_MESSAGES = frozenset({"end_campaign", "campaign_ended"})


def sweep_progress_helper(open_uow: Callable[..., UnitOfWork]) -> Callable[..., dict[str, int] | None]:
    """``sweep_progress(campaign_id, grid)`` → ``{topics_total, topics_done}`` (None: no such grid), read in the
    running step's own transaction (a second pooled connection could wait on a full pool), else read-only."""

    def sweep_progress(campaign_id: Any, grid: Any) -> dict[str, int] | None:
        """How many of the grid's topics are recorded, of how many."""
        if isinstance(campaign_id, bool) or not isinstance(campaign_id, int) or not isinstance(grid, str):
            raise ValueError("sweep_progress() needs the campaign's id (a number) and the grid's code")
        with step_store(open_uow) as store:
            return rows.sweep_progress(store, campaign_id, grid)

    return kept("sweep_progress", sweep_progress)


def open_sweeps_helper(open_uow: Callable[..., UnitOfWork]) -> Callable[..., int]:
    """``open_sweeps(campaign_id)`` → how many of the campaign's grids are still open: an early end tells their
    sweeps only when some are (a message nobody waits for would fail its delivery)."""

    def open_sweeps(campaign_id: Any) -> int:
        """How many of the campaign's grids are open."""
        if isinstance(campaign_id, bool) or not isinstance(campaign_id, int):
            raise ValueError("open_sweeps() needs the campaign's id (a number)")
        with step_store(open_uow) as store:
            return rows.open_grids(store, campaign_id)

    return kept("open_sweeps", open_sweeps)


def _early_end(data: dict[str, Any]) -> tuple[datetime, str, str] | None:
    """When, by whom and why a campaign case was ended early (its model's ``ended_early`` data), else None."""
    if data.get(ENDED_EARLY) is not True:
        return None
    return datetime.fromisoformat(str(data["ended_at"])), str(data["ended_by"]), str(data["end_reason"])


def keep_campaign_rows(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook: a sweep case that ended marks its grid done (by the step's actor), or ended when the
    campaign's early end closed it; a campaign case whose period is over (or was ended early: who, when, why)
    marks the campaign ended. Other cases' steps cost a look at their data only."""
    data = step.data
    if not data:
        return
    if "campaign_id" in data and "grid" in data and any(r.event_type == ev.CASE_COMPLETED for r in step.records):
        repo = uow.repository(CampaignStore)
        if data.get(ENDED_EARLY) is True:  # the step is the campaign case's message: the person is in its data
            repo.grid_ended(step.case_id, str(data.get("ended_by") or step.actor), step.now)
        else:
            repo.grid_done(step.case_id, step.actor, step.now)
    elif data.get(PERIOD_OVER) is True and "grid_count" in data:
        uow.repository(CampaignStore).campaign_ended(step.case_id, _early_end(data))


def install(bus: MessageBus) -> None:
    """Add the campaigns capability's script helpers and step hook to ``bus``, and mark its models' messages as
    internal (SendMessage refuses them unless a case threw them)."""
    bus.deps.script_helpers["sweep_progress"] = sweep_progress_helper(bus.deps.uow)
    bus.deps.script_helpers["open_sweeps"] = open_sweeps_helper(bus.deps.uow)
    bus.deps.step_hooks.append(keep_campaign_rows)
    bus.deps.internal_messages |= INTERNAL_MESSAGES
