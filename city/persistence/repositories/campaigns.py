"""The census campaigns' repository: topics (from the city package), campaigns, their grids, checks and findings,
written in the command's transaction (``uow.repository(CampaignStore)``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

GRID_COLUMNS = ("campaign_id", "grid_code", "case_id", "district_code", "street_code", "team", "task_group", "due_at",
                "state", "topics_done", "findings")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class CampaignStore:
    """Writes campaign_topics, campaigns, campaign_grids, campaign_checks and campaign_findings."""

    def __init__(self, store: CaseStore) -> None:
        self._store = store

    def replace_topics(self, topics: Sequence[dict[str, Any]], checklists: Sequence[str]) -> None:
        """The package's topics in place of the stored ones (``checklists``: each topic's checklist as stored)."""
        self._store._execute("DELETE FROM campaign_topics")
        self._store._executemany(
            'INSERT INTO campaign_topics (code, name, name_en, "group", checklist_json, enabled)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(t["code"], t["name"], t["name_en"], t["group"], checklist, bool(t["enabled"]))
             for t, checklist in zip(topics, checklists, strict=True)])

    def insert_campaign(self, row: dict[str, Any], now: datetime) -> int:
        """A new running campaign; its id."""
        stamp = self._store.dialect.stamp
        found = self._store._execute(
            "INSERT INTO campaigns (case_id, name, kind, emergency_id, topics_json, area_json, teams_json, starts_at,"
            " ends_at, state, grid_count, started_by, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?) RETURNING id",
            (row["case_id"], row["name"], row["kind"], row["emergency_id"], _json(row["topics"]), _json(row["area"]),
             _json(row["teams"]),
             stamp(row["starts_at"]), stamp(row["ends_at"]), row["grid_count"], row["started_by"], stamp(now)),
        ).fetchone()
        return int(found[0])

    def insert_grids(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """The campaign's grids, open, nothing recorded (``GRID_COLUMNS`` but state, topics_done and findings)."""
        stamp = self._store.dialect.stamp
        self._store._executemany(
            f"INSERT INTO campaign_grids ({', '.join(GRID_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, 0)",
            [(*row[:7], stamp(row[7])) for row in rows])

    def record_check(self, key: tuple[int, str, str, str], result: str, count: int | None, actor: str,
                     now: datetime) -> None:
        """What one item recorded (``key``: campaign, grid, topic, item); a later record replaces an earlier one."""
        self._store._execute(
            "INSERT INTO campaign_checks (campaign_id, grid_code, topic_code, item_code, result, count, actor, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, grid_code, topic_code, item_code)"
            " DO UPDATE SET result = excluded.result, count = excluded.count, actor = excluded.actor, at = excluded.at",
            (*key, result, count, actor, self._store.dialect.stamp(now)))

    def set_grid_progress(self, campaign_id: int, grid_code: str, topics_done: int, findings_added: int) -> None:
        """The grid's topics done (recomputed by the caller) and one more finding when ``findings_added``."""
        self._store._execute(
            "UPDATE campaign_grids SET topics_done = ?, findings = findings + ?"
            " WHERE campaign_id = ? AND grid_code = ?",
            (topics_done, findings_added, campaign_id, grid_code))

    def insert_finding(self, row: dict[str, Any], now: datetime) -> int:
        """A finding (``row``: the columns but id, state and at); its id. Watched hazards start 'watched'."""
        found = self._store._execute(
            "INSERT INTO campaign_findings (campaign_id, grid_code, topic_code, item_code, finding_key, kind, case_id,"
            " subtype_code, description, lon, lat, data_json, state, actor, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (row["campaign_id"], row["grid_code"], row["topic_code"], row["item_code"], row["finding_key"],
             row["kind"], row["case_id"], row["subtype_code"], row["description"], row["lon"], row["lat"],
             json.dumps(row["data"], ensure_ascii=False, sort_keys=True),
             "watched" if row["kind"] == "watched" else None, row["actor"], self._store.dialect.stamp(now)),
        ).fetchone()
        return int(found[0])

    def set_finding_state(self, finding_id: int, state: str) -> None:
        """A watched hazard's new state."""
        self._store._execute("UPDATE campaign_findings SET state = ? WHERE id = ?", (state, finding_id))

    def grid_done(self, case_id: int, actor: str, now: datetime) -> None:
        """The grid whose sweep case is ``case_id`` is done (its case ended), by ``actor``."""
        self._store._execute(
            "UPDATE campaign_grids SET state = 'done', done_at = ?, done_by = ? WHERE case_id = ? AND state = 'open'",
            (self._store.dialect.stamp(now), actor, case_id))

    def grid_ended(self, case_id: int, actor: str, now: datetime) -> None:
        """The grid whose sweep case is ``case_id`` was closed by its campaign's early end (by ``actor``)."""
        self._store._execute(
            "UPDATE campaign_grids SET state = 'ended', done_at = ?, done_by = ? WHERE case_id = ? AND state = 'open'",
            (self._store.dialect.stamp(now), actor, case_id))

    def campaign_ended(self, case_id: int, early: tuple[datetime, str, str] | None = None) -> None:
        """The campaign whose case is ``case_id`` ended: its period is over, or ``early`` (when, by whom, why:
        EndCampaign)."""
        at, by, reason = early if early is not None else (None, None, None)
        self._store._execute(
            "UPDATE campaigns SET state = 'ended', ended_at = ?, ended_by = ?, end_reason = ?"
            " WHERE case_id = ? AND state = 'running'",
            (self._store.dialect.stamp(at) if at is not None else None, by, reason, case_id))
