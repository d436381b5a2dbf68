"""Read side: cases, their events and task lists, as plain dicts for the web layer.

Visibility is decided by the caller's groups (see ``engine.service.accounts.Principal``): a task is
visible to whoever works its candidate group or holds it; ``groups=None`` means everything (auditors).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.facts import COUNTERS
from engine.domain.summary import case_id_from_no, light
from engine.persistence.db import as_utc
from engine.service.deps import Deps

SUMMARY_COLUMNS = ("case_no", "channel", "subtype", "description", "district", "resp_grid", "unit_grid", "lon",
                   "lat", "urgency", "department", "due_at", "warn_at", "counters", "evaluation")
TASK_COLUMNS = ("id", "case_id", "bpmn_id", "name", "lane", "candidate_group", "form", "state", "assignee",
                "created_at", "claimed_at", "completed_at", "completed_by", "due_at")
SUSPENDED_TASKS = {"resume_disposal"}
AFTER_DISPOSAL_TASKS = {"check_on_site", "close_case"}  # the deadline no longer runs


@dataclass(frozen=True)
class TaskFilter:
    """What a task list asks for; ``groups`` None means every group (people who read everything)."""

    username: str
    groups: frozenset[str] | None
    state: str = "ready"
    group: str | None = None
    mine: bool = False
    case_no: str | None = None
    subtype: str | None = None
    channel: str | None = None
    district: str | None = None
    resp_grid: str | None = None  # the street's responsibility grid (责任网格)
    unit_grid: str | None = None
    light: str | None = None
    limit: int = 100
    offset: int = 0


def _iso(value: Any) -> str | None:
    moment = as_utc(value)
    return moment.isoformat() if moment else None


def _summary(row: Any, now: datetime, status: str, ready: set[str]) -> dict[str, Any]:
    out = dict(zip(SUMMARY_COLUMNS, row, strict=True))
    due, warn = as_utc(out["due_at"]), as_utc(out["warn_at"])
    out["due_at"], out["warn_at"] = _iso(due), _iso(warn)
    out["counters"] = json.loads(out["counters"]) if out["counters"] else None
    out["evaluation"] = json.loads(out["evaluation"]) if out["evaluation"] else None
    suspended = bool(ready & SUSPENDED_TASKS)
    running = status != "completed" and not ready & AFTER_DISPOSAL_TASKS
    out["light"] = light(due, warn, now, open_=running, suspended=suspended)
    return out


def case_by_no(deps: Deps, number: str, now: datetime) -> dict[str, Any] | None:
    """A case's summary, status, process and ready tasks, by case number; None when there is none."""
    case_id = case_id_from_no(number)
    if case_id is None:
        return history_case(deps, number)
    with deps.uow(read_only=True) as uow:
        store = uow.store
        found = store.execute(f"SELECT {', '.join('s.' + c for c in SUMMARY_COLUMNS)}, c.status, c.process_id,"
                              " c.started_at, c.completed_at, c.version FROM case_summaries s"
                              " JOIN cases c ON c.id = s.case_id WHERE s.case_id = ? AND s.case_no = ?",
                              (case_id, number)).fetchone()
        tasks = [] if found is None else store.execute(
            f"SELECT {', '.join(TASK_COLUMNS)} FROM human_tasks WHERE case_id = ? AND state = 'ready'"
            " ORDER BY created_at, id", (case_id,)).fetchall()
    if found is None:
        return history_case(deps, number)
    ready = [_task(t) for t in tasks]
    status, process_id, started, completed, version = found[len(SUMMARY_COLUMNS):]
    view = _summary(found[:len(SUMMARY_COLUMNS)], now, status, {t["bpmn_id"] for t in ready})
    return {"id": case_id, **view, "status": status, "process_id": process_id, "version": version,
            "started_at": _iso(started), "completed_at": _iso(completed), "tasks": ready}


HISTORY_TIMES = ("reported_at", "verified_at", "filed_at", "dispatched_at", "disposed_at", "checked_at", "closed_at")
HISTORY_COLUMNS = ("case_no", "channel", "subtype", "district", "resp_grid", "unit_grid", "lon", "lat", "department",
                   "due_at", "result", "void_reason", "close_type", "closed_on_time", "reporter", "verifier",
                   "dispatcher", "checker", "returned_by", *HISTORY_TIMES, *COUNTERS)


def history_case(deps: Deps, number: str) -> dict[str, Any] | None:
    """An imported history case, read-only from its facts, shaped like a live case that has ended
    (no id, process or tasks; ``source`` "history", the step times and doers in ``evaluation``)."""
    with deps.uow(read_only=True) as uow:
        row = uow.store.execute(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM case_facts WHERE case_no = ?"
                                " AND source = 'history'", (number,)).fetchone()
    if row is None:
        return None
    facts = dict(zip(HISTORY_COLUMNS, row, strict=True))
    for key in ("due_at", *HISTORY_TIMES):
        facts[key] = _iso(facts[key])
    counters = {key: facts.pop(key) for key in COUNTERS}
    view = {key: facts.pop(key) for key in SUMMARY_COLUMNS if key in facts}
    on_time = facts.pop("closed_on_time")
    evaluation = {**facts, "on_time": on_time, **counters, "source": "history"}
    return {"id": None, **view, "description": None, "urgency": None, "warn_at": None, "counters": counters,
            "evaluation": evaluation, "light": None, "status": "completed", "process_id": None, "version": None,
            "started_at": facts["reported_at"], "completed_at": facts["closed_at"], "tasks": [], "source": "history"}


def case_events(deps: Deps, case_id: int) -> list[dict[str, Any]]:
    """The case's audit events in order, each with its chain hash."""
    with deps.uow(read_only=True) as uow:
        rows = uow.store.execute("SELECT seq, occurred_at, actor, event_type, task_id, bpmn_id, data, prev_hash, hash,"
                                 " actor_kind, command FROM case_events WHERE case_id = ? ORDER BY seq",
                                 (case_id,)).fetchall()
    return [{"seq": r[0], "occurred_at": _iso(r[1]), "actor": r[2], "event_type": r[3], "task_id": r[4],
             "bpmn_id": r[5], "data": json.loads(r[6]), "prev_hash": r[7], "hash": r[8], "actor_kind": r[9],
             "command": r[10]} for r in rows]


def _task(row: Any) -> dict[str, Any]:
    out = dict(zip(TASK_COLUMNS, row, strict=True))
    for key in ("created_at", "claimed_at", "completed_at", "due_at"):
        out[key] = _iso(out[key])
    return out


def task_by_id(deps: Deps, task_id: str) -> dict[str, Any] | None:
    """One human task with its case number, or None."""
    with deps.uow(read_only=True) as uow:
        row = uow.store.execute(f"SELECT {', '.join('h.' + c for c in TASK_COLUMNS)}, s.case_no FROM human_tasks h"
                                " LEFT JOIN case_summaries s ON s.case_id = h.case_id WHERE h.id = ?",
                                (task_id,)).fetchone()
    return None if row is None else {**_task(row[:-1]), "case_no": row[-1]}


def task_data(deps: Deps, task_id: str) -> dict[str, Any] | None:
    """The data a ready task sees (what its form shows), or None."""
    with deps.uow(read_only=True) as uow:
        row = uow.store.execute("SELECT d.data FROM workflow_tasks t JOIN task_data d"
                                " ON d.case_id = t.case_id AND d.hash = t.data_hash WHERE t.task_id = ?",
                                (task_id,)).fetchone()
    return json.loads(row[0]) if row else None


def _task_where(store: Any, flt: TaskFilter, now: datetime) -> tuple[str, list[Any]]:
    clauses, params = ["h.state = ?"], [flt.state]
    if flt.groups is not None:
        marks = ", ".join("?" for _ in flt.groups) or "NULL"
        clauses.append(f"(h.candidate_group IN ({marks}) OR h.assignee = ?)")
        params += [*sorted(flt.groups), flt.username]
    for column, value in (("h.candidate_group", flt.group), ("s.case_no", flt.case_no), ("s.subtype", flt.subtype),
                          ("s.channel", flt.channel), ("s.district", flt.district),
                          ("s.resp_grid", flt.resp_grid), ("s.unit_grid", flt.unit_grid)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if flt.mine:
        clauses.append("h.assignee = ?")
        params.append(flt.username)
    if flt.light is not None:
        stamp = store.dialect.stamp(now)
        clauses.append({"green": "s.warn_at > ?", "yellow": "s.warn_at <= ? AND s.due_at > ?",
                        "red": "s.due_at <= ?"}[flt.light])
        params += [stamp] * (2 if flt.light == "yellow" else 1)
    return " AND ".join(clauses), params


def task_list(deps: Deps, flt: TaskFilter, now: datetime) -> dict[str, Any]:
    """The tasks a person may see, filtered, soonest due first, with counts by deadline light."""
    joins = " FROM human_tasks h LEFT JOIN case_summaries s ON s.case_id = h.case_id"
    with deps.uow(read_only=True) as uow:
        store = uow.store
        where, params = _task_where(store, flt, now)
        rows = store.execute(
            f"SELECT {', '.join('h.' + c for c in TASK_COLUMNS)}, s.case_no, s.subtype, s.channel, s.district,"
            f" s.description, s.due_at, s.warn_at{joins} WHERE {where}"
            " ORDER BY CASE WHEN h.due_at IS NULL THEN 1 ELSE 0 END, h.due_at, h.created_at, h.id LIMIT ? OFFSET ?",
            (*params, flt.limit, flt.offset)).fetchall()
        stamp = store.dialect.stamp(now)
        counts = store.execute(
            "SELECT COUNT(*), SUM(CASE WHEN s.warn_at > ? THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN s.warn_at <= ? AND s.due_at > ? THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN s.due_at <= ? THEN 1 ELSE 0 END){joins} WHERE {where}",
            (stamp, stamp, stamp, stamp, *params)).fetchone()
    tasks = []
    for row in rows:
        task = _task(row[:len(TASK_COLUMNS)])
        case_no, subtype, channel, district, description, due, warn = row[len(TASK_COLUMNS):]
        task.update(case_no=case_no, subtype=subtype, channel=channel, district=district, description=description,
                    light=light(as_utc(due), as_utc(warn), now, open_=True))
        tasks.append(task)
    total, green, yellow, red = (int(v or 0) for v in counts)
    return {"tasks": tasks, "total": total, "counts": {"green": green, "yellow": yellow, "red": red}}
