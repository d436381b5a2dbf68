"""Enforcement records (执法案件档案; docs/enforcement-records.md) as the search page, the API and the command line show
them: read from ``city.persistence.read.enforcement_search`` in one read-only transaction each, times as ISO 8601 UTC
text and fines as yuan with two places (text, so no float rounds them).

A department member reads their own team's records only: the callers pass ``team_only`` (their department) and a
record of another team is NotFound, as if it were not there.

The party's id (身份证号 / 统一社会信用代码) is personal data: a reader who is not of the record's team, an auditor or
an admin (the callers pass ``party_ids=False``) sees it masked (``mask_party_id``) and searches parties by name only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from city.persistence.read import enforcement_search as rows
from city.persistence.read.enforcement_search import EnforcementFilter
from engine.domain.errors import NotFound
from engine.persistence.db import iso_utc as iso
from engine.service.deps import Deps

MAX_PER_PAGE = 100
# (milestone, the column holding when it was reached), in the order an enforcement case reaches them
MILESTONES = (("transferred", "transferred_at"), ("filed", "filed_at"), ("decided", "decided_at"),
              ("served", "served_at"), ("executed", "executed_at"), ("closed", "closed_at"))


def mask_party_id(value: str | None) -> str | None:
    """An id with all but its first 6 and last 4 characters masked (350602********1234); a short one wholly."""
    if not value:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def public(found: dict[str, Any], party_ids: bool = True) -> dict[str, Any]:
    """A record as JSON: times as ISO text, the fine as text with two places, the milestones in order; the party's
    id masked unless ``party_ids``."""
    out = {name: (iso(value) if name in rows.TIMES else value) for name, value in found.items()}
    if not party_ids:
        out["party_id"] = mask_party_id(found["party_id"])
    out["fine_amount"] = None if found["fine_amount"] is None else str(found["fine_amount"])
    out["milestones"] = [{"milestone": name, "at": iso(found[column])} for name, column in MILESTONES]
    return out


def search_records(deps: Deps, where: EnforcementFilter, page: int = 1, per_page: int = 20,
                   team_only: str | None = None, party_ids: bool = True) -> dict[str, Any]:
    """The page ``page`` (from 1) of the records matching ``where``, newest transfer first, and how many match;
    ``team_only`` narrows the search to that team whatever ``where`` asks (no record when it asks another);
    without ``party_ids`` the ids are masked and the party filter matches names only."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    if team_only is not None:
        if where.team and where.team != team_only:
            return {"total": 0, "page": page, "per_page": per_page, "pages": 0, "records": []}
        where = replace(where, team=team_only)
    where = replace(where, party_ids=party_ids)
    with deps.uow(read_only=True) as uow:
        total, found = rows.search(uow.store, where, per_page, (page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page, "pages": -(-total // per_page),
            "records": [public(r, party_ids) for r in found]}


def record(deps: Deps, enforcement_id: int, team_only: str | None = None, party_ids: bool = True) -> dict[str, Any]:
    """One enforcement record (its party's id masked unless ``party_ids``); NotFound for an unknown id or, with
    ``team_only``, another team's record."""
    with deps.uow(read_only=True) as uow:
        found = rows.record(uow.store, enforcement_id)
    if found is None or (team_only is not None and found["team"] != team_only):
        raise NotFound(f"enforcement case {enforcement_id} not found")
    return public(found, party_ids)


def teams(deps: Deps, team_only: str | None = None) -> list[tuple[str, str, str]]:
    """(code, Chinese name, English name) of the teams with records (only ``team_only``'s when given)."""
    with deps.uow(read_only=True) as uow:
        found = rows.teams(uow.store)
    return [t for t in found if team_only is None or t[0] == team_only]
