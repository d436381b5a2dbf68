"""The campaigns' read side for pages, the API and the command line: the read functions
(``city/persistence/read/campaigns.py``) in a read-only unit of work, shaped with the lights the task lists use —
green before 80 % of the period, yellow until the due time, red when an open grid is overdue, none once done."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.campaigns.start import WARN_SHARE
from city.persistence.read import campaign_rows
from city.persistence.read import campaigns as read
from engine.domain.summary import light
from engine.service.deps import Deps


def warn_time(starts_at: datetime, ends_at: datetime) -> datetime:
    """When a campaign's grids turn yellow: 80 % of the period."""
    return starts_at + (ends_at - starts_at) * WARN_SHARE


def topic_catalogue(deps: Deps) -> list[dict[str, Any]]:
    """Every topic of the city's catalogue with its checklist (``gridcase campaign topics``)."""
    with deps.uow(read_only=True) as uow:
        return campaign_rows.topics(uow.store)


def campaign_list(deps: Deps, limit: int = 100) -> list[dict[str, Any]]:
    """The newest campaigns first, each with its share of grids done (``done_share``, 0–1)."""
    with deps.uow(read_only=True) as uow:
        rows = read.campaign_list(uow.store, limit)
    return [{**r, "done_share": r["grids_done"] / r["grid_count"] if r["grid_count"] else 0.0} for r in rows]


def campaign_status(deps: Deps, campaign_id: int) -> dict[str, Any] | None:
    """One campaign's summary, counts and report, with its light (None: no such campaign)."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        summary = read.campaign_summary(uow.store, campaign_id)
        if summary is None:
            return None
        counts = read.progress_counts(uow.store, campaign_id, now)
        report = read.campaign_report(uow.store, campaign_id)
    warn = warn_time(summary["starts_at"], summary["ends_at"])
    return {**summary, "warn_at": warn, "progress": counts, "report": report,
            "light": light(summary["ends_at"], warn, now, open_=summary["state"] == "running"),
            "done_share": summary["grids_done"] / summary["grid_count"] if summary["grid_count"] else 0.0}


def grid_lights(deps: Deps, campaign_id: int) -> list[dict[str, Any]]:
    """Every grid of the campaign, compact, with its light (the map's colours)."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        campaign = campaign_rows.campaign_row(uow.store, campaign_id)
        grids = read.grid_states(uow.store, campaign_id, now) if campaign is not None else []
    if campaign is None:
        return []
    warn = warn_time(campaign["starts_at"], campaign["ends_at"])
    return [{**g, "light": light(g["due_at"], warn, now, open_=g["state"] == "open")} for g in grids]


def sheet(deps: Deps, campaign_id: int, grid_code: str) -> dict[str, Any] | None:
    """One grid's sheet (topics, items, what is recorded, findings) with the grid's light; None if not in the
    campaign."""
    now = deps.clock.now()
    with deps.uow(read_only=True) as uow:
        found = read.grid_sheet(uow.store, campaign_id, grid_code)
        campaign = campaign_rows.campaign_row(uow.store, campaign_id) if found is not None else None
    if found is None or campaign is None:
        return None
    grid = found["grid"]
    warn = warn_time(campaign["starts_at"], campaign["ends_at"])
    return {**found, "light": light(grid["due_at"], warn, now, open_=grid["state"] == "open")}
