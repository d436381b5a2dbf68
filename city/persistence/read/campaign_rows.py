"""What the campaigns' commands read inside their transaction: topics, the area's grids, a campaign, a grid, what a
grid recorded, a finding. (The pages' and API's reads are ``campaigns.py``'s.)"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

TOPIC_SQL = 'SELECT code, name, name_en, "group", checklist_json, enabled FROM campaign_topics'
CAMPAIGN_COLUMNS = ("id", "case_id", "name", "kind", "emergency_id", "topics_json", "area_json", "teams_json",
                    "starts_at", "ends_at", "state", "grid_count", "started_by", "started_at", "ended_at", "ended_by",
                    "end_reason")
GRID_COLUMNS = ("campaign_id", "grid_code", "case_id", "district_code", "street_code", "team", "task_group", "due_at",
                "state", "topics_done", "findings", "done_at", "done_by")
FINDING_COLUMNS = ("id", "campaign_id", "grid_code", "topic_code", "item_code", "finding_key", "kind", "case_id",
                   "subtype_code", "description", "lon", "lat", "data_json", "state", "actor", "at")
_TIMES = {"starts_at", "ends_at", "started_at", "ended_at", "due_at", "done_at", "at"}


def decoded(columns: tuple[str, ...], row: Any) -> dict[str, Any]:
    """A row as a dict by ``columns``: timestamps as aware UTC, ``…_json`` columns decoded under their name."""
    out: dict[str, Any] = {name: (as_utc(value) if name in _TIMES else value)
                           for name, value in zip(columns, row, strict=True)}
    for name in [n for n in columns if n.endswith("_json")]:
        out[name[:-5]] = json.loads(str(out.pop(name)))
    return out


def _topic(row: Any) -> dict[str, Any]:
    return {"code": row[0], "name": row[1], "name_en": row[2], "group": row[3], "checklist": json.loads(row[4]),
            "enabled": bool(row[5])}


def topics(store: CaseStore) -> list[dict[str, Any]]:
    """Every topic of the catalogue (census first, then hazard; by code), its checklist decoded."""
    return [_topic(r) for r in store._execute(TOPIC_SQL + ' ORDER BY "group", code').fetchall()]


def topic_snapshot(store: CaseStore) -> dict[str, tuple[Any, ...]]:
    """The stored topics as the city package's change report compares them."""
    return {str(r[0]): (r[1], r[2], r[3], r[4], bool(r[5])) for r in store._execute(TOPIC_SQL).fetchall()}


def known_codes(store: CaseStore, kind: str, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` name a district, street or unit grid (``kind``) of the city."""
    table = {"districts": "districts", "streets": "streets", "grids": "unit_grids"}[kind]
    wanted = sorted(set(codes))
    if not wanted:
        return set()
    marks = ", ".join("?" * len(wanted))
    return {str(r[0]) for r in store._execute(f"SELECT code FROM {table} WHERE code IN ({marks})", wanted)}


def area_grids(store: CaseStore, area: dict[str, list[str]]) -> list[tuple[str, str, str | None]]:
    """The unit grids of the area (those of its districts, of its streets, and those it names), each once, by code:
    (grid, district, street)."""
    clauses, params = [], []
    for column, key in (("u.district_code", "districts"), ("r.street_code", "streets"), ("u.code", "grids")):
        if area.get(key):
            clauses.append(f"{column} IN ({', '.join('?' * len(area[key]))})")
            params.extend(area[key])
    if not clauses:
        return []
    rows = store._execute(
        "SELECT u.code, u.district_code, r.street_code FROM unit_grids u JOIN resp_grids r ON r.code = u.resp_grid_code"
        f" WHERE {' OR '.join(clauses)} ORDER BY u.code", params).fetchall()
    return [(str(r[0]), str(r[1]), r[2]) for r in rows]


def campaign_row(store: CaseStore, campaign_id: int) -> dict[str, Any] | None:
    """One campaign (topics, area, teams decoded), or None."""
    row = store._execute(f"SELECT {', '.join(CAMPAIGN_COLUMNS)} FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
    return None if row is None else decoded(CAMPAIGN_COLUMNS, row)


def grid_row(store: CaseStore, campaign_id: int, grid_code: str) -> dict[str, Any] | None:
    """One grid of a campaign, or None."""
    row = store._execute(f"SELECT {', '.join(GRID_COLUMNS)} FROM campaign_grids"
                         " WHERE campaign_id = ? AND grid_code = ?", (campaign_id, grid_code)).fetchone()
    return None if row is None else decoded(GRID_COLUMNS, row)


def recorded_items(store: CaseStore, campaign_id: int, grid_code: str) -> set[tuple[str, str]]:
    """(topic, item) of every checklist item the grid has recorded (a check, a count or a finding)."""
    rows = store._execute("SELECT topic_code, item_code FROM campaign_checks WHERE campaign_id = ? AND grid_code = ?",
                          (campaign_id, grid_code)).fetchall()
    return {(str(r[0]), str(r[1])) for r in rows}


def finding_by_key(store: CaseStore, campaign_id: int, finding_key: str) -> dict[str, Any] | None:
    """The campaign's finding reported under ``finding_key``, or None."""
    row = store._execute(f"SELECT {', '.join(FINDING_COLUMNS)} FROM campaign_findings"
                         " WHERE campaign_id = ? AND finding_key = ?", (campaign_id, finding_key)).fetchone()
    return None if row is None else decoded(FINDING_COLUMNS, row)


def finding_row(store: CaseStore, finding_id: int) -> dict[str, Any] | None:
    """One finding, or None."""
    row = store._execute(f"SELECT {', '.join(FINDING_COLUMNS)} FROM campaign_findings WHERE id = ?",
                         (finding_id,)).fetchone()
    return None if row is None else decoded(FINDING_COLUMNS, row)


def grid_geometry(store: CaseStore, grid_code: str) -> str | None:
    """The unit grid's GeoJSON geometry text, or None."""
    row = store._execute("SELECT geometry FROM unit_grids WHERE code = ?", (grid_code,)).fetchone()
    return None if row is None else str(row[0])


def sweep_progress(store: CaseStore, campaign_id: int, grid_code: str) -> dict[str, int] | None:
    """``{topics_total, topics_done}`` of a campaign's grid (every grid sweeps all the campaign's topics), or None."""
    row = store._execute("SELECT c.topics_json, g.topics_done FROM campaign_grids g JOIN campaigns c"
                         " ON c.id = g.campaign_id WHERE g.campaign_id = ? AND g.grid_code = ?",
                         (campaign_id, grid_code)).fetchone()
    return None if row is None else {"topics_total": len(json.loads(row[0])), "topics_done": int(row[1])}


def open_grids(store: CaseStore, campaign_id: int) -> int:
    """How many of the campaign's grids are still open (their sweeps not finished)."""
    row = store._execute("SELECT COUNT(*) FROM campaign_grids WHERE campaign_id = ? AND state = 'open'",
                         (campaign_id,)).fetchone()
    return int(row[0])


def case_numbers(store: CaseStore, case_ids: Iterable[int]) -> dict[int, str]:
    """Case id → its number (case_summaries)."""
    wanted = sorted({int(i) for i in case_ids})
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = store._execute(f"SELECT case_id, case_no FROM case_summaries WHERE case_id IN ({marks})", wanted).fetchall()
    return {int(r[0]): str(r[1]) for r in rows}


def city_area(store: CaseStore, grids: int | None = None) -> dict[str, list[str]]:
    """The whole city as a campaign's area (every district), or its first ``grids`` unit grids by code."""
    if grids is not None:
        found = store._execute("SELECT code FROM unit_grids ORDER BY code LIMIT ?", (grids,)).fetchall()
        return {"grids": [str(r[0]) for r in found]}
    return {"districts": [str(r[0]) for r in store._execute("SELECT code FROM districts ORDER BY code").fetchall()]}
