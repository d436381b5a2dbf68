"""Census campaigns' reads (专项普查): the campaigns list, one campaign, its grids' states, the progress counts, the
report and one grid's sheet — over campaigns, campaign_grids, campaign_checks, campaign_findings and the findings'
cases' facts. Shaping (lights, percentages) is ``city/campaigns/progress.py``'s. Every query of one campaign reads
its rows by the indexes that lead with ``campaign_id`` (grids by state and by street, findings by topic and grid,
checks by their key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.persistence.read.campaign_rows import FINDING_COLUMNS, campaign_row, case_numbers, decoded, grid_row
from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

_DONE = "SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END)"


def campaign_list(store: CaseStore, limit: int = 100) -> list[dict[str, Any]]:
    """The newest campaigns first: id, case_id, name, kind, state, starts_at, ends_at, grid_count, grids_done,
    findings."""
    rows = store._execute(
        "SELECT c.id, c.case_id, c.name, c.kind, c.state, c.starts_at, c.ends_at, c.grid_count,"
        " (SELECT COUNT(*) FROM campaign_grids g WHERE g.campaign_id = c.id AND g.state = 'done'),"
        " (SELECT COUNT(*) FROM campaign_findings f WHERE f.campaign_id = c.id)"
        " FROM campaigns c ORDER BY c.id DESC LIMIT ?", (limit,)).fetchall()
    names = ("id", "case_id", "name", "kind", "state", "starts_at", "ends_at", "grid_count", "grids_done", "findings")
    return [{**dict(zip(names, r, strict=True)), "starts_at": as_utc(r[5]), "ends_at": as_utc(r[6])} for r in rows]


def campaign_summary(store: CaseStore, campaign_id: int) -> dict[str, Any] | None:
    """One campaign's row (topics with their checklists, area, teams decoded), its case number and its grids'
    counts (grids_done, grids_ended — closed by an early end —, grids_open, findings, checks); None if there is none."""
    campaign = campaign_row(store, campaign_id)
    if campaign is None:
        return None
    done, ended, total = store._execute(
        f"SELECT {_DONE}, SUM(CASE WHEN state = 'ended' THEN 1 ELSE 0 END), COUNT(*) FROM campaign_grids"
        " WHERE campaign_id = ?", (campaign_id,)).fetchone()
    findings = store._execute("SELECT COUNT(*) FROM campaign_findings WHERE campaign_id = ?",
                              (campaign_id,)).fetchone()[0]
    checks = store._execute("SELECT COUNT(*) FROM campaign_checks WHERE campaign_id = ?", (campaign_id,)).fetchone()[0]
    return {**campaign, "case_no": case_numbers(store, [campaign["case_id"]]).get(campaign["case_id"]),
            "grids_done": int(done or 0), "grids_ended": int(ended or 0),
            "grids_open": int(total) - int(done or 0) - int(ended or 0), "findings": int(findings),
            "checks": int(checks)}


def grid_states(store: CaseStore, campaign_id: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every grid of the campaign, compact: grid (code), state, topics_done, findings, due_at and overdue (open
    past its due time at ``now``; False without ``now``)."""
    rows = store._execute("SELECT grid_code, state, topics_done, findings, due_at FROM campaign_grids"
                          " WHERE campaign_id = ? ORDER BY grid_code", (campaign_id,)).fetchall()
    out = []
    for code, state, done, findings, due in rows:
        due_at = as_utc(due)
        out.append({"grid": code, "state": state, "topics_done": int(done), "findings": int(findings),
                    "due_at": due_at, "overdue": bool(now and state == "open" and due_at and due_at < now)})
    return out


def _grouped(store: CaseStore, campaign_id: int, column: str) -> list[dict[str, Any]]:
    rows = store._execute(f"SELECT {column}, COUNT(*), {_DONE}, SUM(findings) FROM campaign_grids"
                          f" WHERE campaign_id = ? GROUP BY {column} ORDER BY 1", (campaign_id,)).fetchall()
    return [{"key": r[0], "grids": int(r[1]), "done": int(r[2] or 0), "findings": int(r[3] or 0)} for r in rows]


def progress_counts(store: CaseStore, campaign_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Counts by topic (findings by kind, items recorded by result), by street and by team (grids, done,
    findings), and the open grids past their due time at ``now`` (at most 500, by code)."""
    topics: dict[str, dict[str, int]] = {}
    for topic, kind, count in store._execute("SELECT topic_code, kind, COUNT(*) FROM campaign_findings"
                                             " WHERE campaign_id = ? GROUP BY 1, 2", (campaign_id,)).fetchall():
        topics.setdefault(topic, {})[f"findings_{kind}"] = int(count)
    for topic, result, count in store._execute("SELECT topic_code, result, COUNT(*) FROM campaign_checks"
                                               " WHERE campaign_id = ? GROUP BY 1, 2", (campaign_id,)).fetchall():
        topics.setdefault(topic, {})[f"items_{result}"] = int(count)
    overdue: list[str] = []
    if now is not None:
        overdue = [str(r[0]) for r in store._execute(
            "SELECT grid_code FROM campaign_grids WHERE campaign_id = ? AND state = 'open' AND due_at < ?"
            " ORDER BY grid_code LIMIT 500", (campaign_id, store.dialect.stamp(now))).fetchall()]
    return {"by_topic": topics, "by_street": _grouped(store, campaign_id, "street_code"),
            "by_team": _grouped(store, campaign_id, "COALESCE(team, task_group)"), "overdue_grids": overdue}


def campaign_report(store: CaseStore, campaign_id: int) -> dict[str, Any]:
    """Found, filed (cases), fixed (closed cases, watched hazards fixed), open (cases open, hazards watched or
    escalated) — in all, by topic and by department (the cases' current department)."""
    rows = store._execute(
        "SELECT f.topic_code, f.kind, f.state, cf.result, cf.department, COUNT(*) FROM campaign_findings f"
        " LEFT JOIN case_facts cf ON cf.case_id = f.case_id WHERE f.campaign_id = ? GROUP BY 1, 2, 3, 4, 5",
        (campaign_id,)).fetchall()
    total: dict[str, int] = {"found": 0, "filed": 0, "fixed": 0, "open": 0}
    by_topic: dict[str, dict[str, int]] = {}
    by_department: dict[str, dict[str, int]] = {}
    for topic, kind, state, result, department, count in rows:
        marks = {"found": 1, "filed": int(kind == "case"),
                 "fixed": int(result == "closed" or state == "fixed"),
                 "open": int((kind == "case" and result in (None, "open")) or state in ("watched", "escalated"))}
        targets = [total, by_topic.setdefault(topic, dict.fromkeys(total, 0))]
        if kind == "case":
            targets.append(by_department.setdefault(department or "", dict.fromkeys(total, 0)))
        for target in targets:
            for key, mark in marks.items():
                target[key] += mark * int(count)
    return {**total, "by_topic": by_topic, "by_department": by_department}


def grid_sheet(store: CaseStore, campaign_id: int, grid_code: str) -> dict[str, Any] | None:
    """One grid's sheet: its row, the campaign's topics with their items and what each item recorded (``check``:
    result, count, actor, at; ``findings``: id, kind, subtype, description, case_no, state); None if the grid is
    not in the campaign."""
    campaign, grid = campaign_row(store, campaign_id), grid_row(store, campaign_id, grid_code)
    if campaign is None or grid is None:
        return None
    checks = {(r[0], r[1]): {"result": r[2], "count": r[3], "actor": r[4], "at": as_utc(r[5])}
              for r in store._execute("SELECT topic_code, item_code, result, count, actor, at FROM campaign_checks"
                                      " WHERE campaign_id = ? AND grid_code = ?", (campaign_id, grid_code)).fetchall()}
    findings = [decoded(FINDING_COLUMNS, r) for r in store._execute(
        f"SELECT {', '.join(FINDING_COLUMNS)} FROM campaign_findings WHERE campaign_id = ? AND grid_code = ?"
        " ORDER BY id", (campaign_id, grid_code)).fetchall()]
    numbers = case_numbers(store, [f["case_id"] for f in findings if f["case_id"]])
    topics = []
    for topic in campaign["topics"]:
        items = [{**item, "check": checks.get((topic["code"], item["code"])),
                  "findings": [{**f, "case_no": numbers.get(f["case_id"])} for f in findings
                               if f["topic_code"] == topic["code"] and f["item_code"] == item["code"]]}
                 for item in topic["checklist"]]
        topics.append({**{k: topic[k] for k in ("code", "name", "name_en", "group")}, "items": items,
                       "done": all(i["check"] is not None for i in items)})
    return {"campaign": {k: campaign[k] for k in ("id", "name", "kind", "state", "ends_at")}, "grid": grid,
            "topics": topics}
