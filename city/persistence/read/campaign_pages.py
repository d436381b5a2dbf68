"""What the campaigns' pages and API read besides ``campaigns.py`` (H2's read model): the topics catalogue for the
start form's picker, the campaign and grid of a sweep case (the collector's task list links its ``sweep_grid``
task to the sweep page), a unit grid's centre (a finding's default location), and a finding by its key (the API
answers 200 for a finding key already recorded) or by its id."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

TOPIC_COLUMNS = ("code", "name", "name_en", "group", "checklist")


def topics(store: CaseStore, group: str | None = None) -> list[dict[str, Any]]:
    """The enabled campaign topics in code order (``group``: 'census' or 'hazard' only), each with its checklist
    items decoded (``items``)."""
    sql = ('SELECT code, name, name_en, "group", checklist_json FROM campaign_topics WHERE enabled = ?'
           + (' AND "group" = ?' if group else "") + " ORDER BY code")
    params: tuple[object, ...] = (True, group) if group else (True,)
    out = []
    for code, name, name_en, grp, checklist in store._execute(sql, params).fetchall():
        out.append({"code": code, "name": name, "name_en": name_en, "group": grp,
                    "items": json.loads(checklist or "[]")})
    return out


def sweep_of_case(store: CaseStore, case_id: int) -> tuple[int, str] | None:
    """The (campaign id, grid code) whose sweep case ``case_id`` is; None for any other case."""
    row = store._execute("SELECT campaign_id, grid_code FROM campaign_grids WHERE case_id = ?", (case_id,)).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def grid_centre(store: CaseStore, grid_code: str) -> tuple[float, float] | None:
    """The unit grid's (lon, lat) centre: the middle of its polygon's bounding box; None for an unknown grid."""
    row = store._execute("SELECT geometry FROM unit_grids WHERE code = ?", (grid_code,)).fetchone()
    if row is None:
        return None
    geometry = json.loads(row[0])
    points: list[list[float]] = []
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else \
        [ring for polygon in geometry["coordinates"] for ring in polygon]
    for ring in rings:
        points.extend(ring)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def finding_id_by_key(store: CaseStore, campaign_id: int, finding_key: str) -> int | None:
    """The id of the campaign's finding recorded under ``finding_key``; None when none is."""
    row = store._execute("SELECT id FROM campaign_findings WHERE campaign_id = ? AND finding_key = ?",
                         (campaign_id, finding_key)).fetchone()
    return int(row[0]) if row else None


def finding_campaign(store: CaseStore, finding_id: int) -> tuple[int, str] | None:
    """The (campaign id, grid code) of a finding; None when there is no such finding."""
    row = store._execute("SELECT campaign_id, grid_code FROM campaign_findings WHERE id = ?",
                         (finding_id,)).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def grid_state_codes(store: CaseStore, campaign_id: int, now: datetime) -> list[tuple[str, int, int, int]]:
    """The progress map's compact states, worked out by the database (the map polls them over 4226 grids): every
    grid of the campaign as (code, state, topics done, findings), state 0 not started, 1 in progress (something
    recorded), 2 done, 3 open past its due time at ``now`` (a grid closed by an early end is 0 or 1, never 3)."""
    rows: list[tuple[str, int, int, int]] = store._execute(
        "SELECT grid_code, CASE WHEN state = 'done' THEN 2 WHEN state = 'open' AND due_at < ? THEN 3"
        " WHEN topics_done > 0 OR findings > 0 THEN 1 ELSE 0 END, topics_done, findings"
        " FROM campaign_grids WHERE campaign_id = ?", (store.dialect.stamp(now), campaign_id)).fetchall()
    return rows


def emergency_surveys(store: CaseStore, emergency_id: int) -> list[dict[str, Any]]:
    """The hazard surveys naming the emergency (``campaigns.emergency_id``), oldest first: id, name, state."""
    rows = store._execute("SELECT id, name, state FROM campaigns WHERE emergency_id = ? ORDER BY id",
                          (emergency_id,)).fetchall()
    return [{"id": int(r[0]), "name": str(r[1]), "state": str(r[2])} for r in rows]
