"""Census campaigns' reads (专项普查): the campaigns list, one campaign, its grids' states, the progress counts, the
report and one grid's sheet — over campaigns, campaign_grids, campaign_checks, campaign_findings and the findings'
cases' facts. Shaping (lights, percentages) is ``city/campaigns/progress.py``'s."""

from __future__ import annotations

from typing import Any

from engine.persistence.repositories.cases import CaseStore


def campaign_list(store: CaseStore, limit: int = 100) -> list[dict[str, Any]]:
    """The newest campaigns first: id, case_id, name, kind, state, starts_at, ends_at, grid_count, grids_done,
    findings."""
    raise NotImplementedError


def campaign_summary(store: CaseStore, campaign_id: int) -> dict[str, Any] | None:
    """One campaign's row (topics, area, teams decoded) with its grids' counts (done, open, findings); None if
    there is none."""
    raise NotImplementedError


def grid_states(store: CaseStore, campaign_id: int) -> list[dict[str, Any]]:
    """Every grid of the campaign, compact: grid (code), state, topics_done, findings, due_at."""
    raise NotImplementedError


def progress_counts(store: CaseStore, campaign_id: int) -> dict[str, Any]:
    """Counts by topic (findings by kind, checks), by street and by team (grids, done, findings), and the open
    grids past their due time."""
    raise NotImplementedError


def campaign_report(store: CaseStore, campaign_id: int) -> dict[str, Any]:
    """Found, filed (cases), fixed (closed cases, watched hazards fixed), open — by topic and by department."""
    raise NotImplementedError


def grid_sheet(store: CaseStore, campaign_id: int, grid_code: str) -> dict[str, Any] | None:
    """One grid's sheet: its row, its topics with their items, what each item has recorded (check or findings);
    None if the grid is not in the campaign."""
    raise NotImplementedError
