"""What the emergency pages, API and command line show (应急指挥): the emergencies, one emergency's assembly by
team, a person's own call. Read-only: each opens a read-only unit of work over ``city.persistence.read.emergency``."""

from __future__ import annotations

from typing import Any

from city.persistence.read import emergency as reads
from engine.domain.errors import NotFound
from engine.service.deps import Deps

STATES = ("active", "ended")


def emergency_list(deps: Deps, state: str | None = None) -> list[dict[str, Any]]:
    """The emergencies (active, ended or both), newest first."""
    with deps.uow(read_only=True) as uow:
        return reads.emergencies(uow.store, state)


def emergency_detail(deps: Deps, emergency_id: int) -> dict[str, Any]:
    """One emergency with its assembly counts (called, acknowledged, escalated, checked in); 404 when unknown."""
    with deps.uow(read_only=True) as uow:
        found = reads.emergency(uow.store, emergency_id)
        if found is None:
            raise NotFound(f"no emergency {emergency_id}", field="emergency_id")
        teams = reads.team_counts(uow.store, emergency_id)
    found["assembly"] = _totals(teams)
    return found


def _totals(teams: list[dict[str, Any]]) -> dict[str, int]:
    """Totals over the teams: every call counts once in ``called``; the others count the call's present state."""
    total = {"called": 0, "acknowledged": 0, "escalated": 0, "checked_in": 0}
    for team in teams:
        for key in total:
            total[key] += int(team.get(key, 0))
    return total


def assembly(deps: Deps, emergency_id: int) -> dict[str, Any]:
    """The emergency's calls by team: ``{emergency_id, teams: [{team, counts, calls: [...]}], totals}``."""
    with deps.uow(read_only=True) as uow:
        if reads.emergency(uow.store, emergency_id) is None:
            raise NotFound(f"no emergency {emergency_id}", field="emergency_id")
        calls = reads.calls(uow.store, emergency_id)
        teams = reads.team_counts(uow.store, emergency_id)
    by_team: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        by_team.setdefault(call["team"], []).append(call)
    return {"emergency_id": emergency_id, "totals": _totals(teams),
            "teams": [{**counts, "calls": by_team.get(counts["team"], [])} for counts in teams]}


def my_call(deps: Deps, emergency_id: int, username: str) -> dict[str, Any]:
    """The person's own call with the emergency (the phone page); 404 when they were not called."""
    with deps.uow(read_only=True) as uow:
        emergency = reads.emergency(uow.store, emergency_id)
        call = reads.call_of(uow.store, emergency_id, username) if emergency is not None else None
    if emergency is None or call is None:
        raise NotFound(f"{username} was not called to assemble for emergency {emergency_id}", field="emergency_id")
    return {"emergency": emergency, "call": call}
