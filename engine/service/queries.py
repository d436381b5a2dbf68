"""Read side: cases, their events and task lists, as plain dicts for the web layer.

Visibility is decided by the caller's groups (see ``engine.service.accounts.Principal``): a task is
visible to whoever works its candidate group or holds it; ``groups=None`` means everything (auditors).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.domain.milestones import SUSPENSION, Milestones, deadline_light, suspended
from engine.domain.step_limits import task_light
from engine.domain.summary import case_id_from_no
from engine.persistence.db import as_utc
from engine.persistence.read import cases as case_reads
from engine.persistence.read import tasks as task_reads
from engine.persistence.read.cases import SUMMARY_COLUMNS
from engine.persistence.read.tasks import TASK_COLUMNS, TaskFilter
from engine.service.deps import Deps

__all__ = ["TaskFilter", "case_by_no", "case_events", "task_by_id", "task_data", "task_list"]

def _iso(value: Any) -> str | None:
    moment = as_utc(value)
    return moment.isoformat() if moment else None


def _summary(row: Any, now: datetime, status: str, ready: set[str], milestones: Milestones) -> dict[str, Any]:
    out = dict(zip(SUMMARY_COLUMNS, row, strict=True))
    due, warn = as_utc(out["due_at"]), as_utc(out["warn_at"])
    out["due_at"], out["warn_at"] = _iso(due), _iso(warn)
    out["counters"] = json.loads(out["counters"]) if out["counters"] else None
    out["evaluation"] = json.loads(out["evaluation"]) if out["evaluation"] else None
    # The model's milestones say which ready steps pause the deadline (核查, 结案) or suspend it (挂账).
    out["light"] = deadline_light(due, warn, now, ready=ready, milestones=milestones, ended=status == "completed")
    return out


def case_by_no(deps: Deps, number: str, now: datetime) -> dict[str, Any] | None:
    """A case's summary, status, process and ready tasks, by case number; None when there is none."""
    case_id = case_id_from_no(number)
    if case_id is None:
        return None
    with deps.uow(read_only=True) as uow:
        found = case_reads.summary(uow.store, case_id, number)
        tasks = [] if found is None else task_reads.ready_tasks(uow.store, case_id)
        milestones = {} if found is None else deps.spec(uow, found[-1]).milestones
    if found is None:
        return None
    ready = [_task(t) for t in tasks]
    status, process_id, started, completed, version, started_by, version_id = found[len(SUMMARY_COLUMNS):]
    view = _summary(found[:len(SUMMARY_COLUMNS)], now, status, {t["bpmn_id"] for t in ready}, milestones)
    paused = suspended([t["bpmn_id"] for t in ready], milestones)
    for task in ready:  # the current step's light and due time (the case page shows them beside the case's)
        task["light"] = _step_light(task, now, paused)
    return {"id": case_id, **view, "status": status, "process_id": process_id, "version": version,
            "started_at": _iso(started), "completed_at": _iso(completed), "started_by": started_by,
            "process_version_id": version_id, "tasks": ready}


def case_events(deps: Deps, case_id: int) -> list[dict[str, Any]]:
    """The case's audit events in order, each with its chain hash."""
    with deps.uow(read_only=True) as uow:
        rows = case_reads.events(uow.store, case_id)
    return [{"seq": r[0], "occurred_at": _iso(r[1]), "actor": r[2], "event_type": r[3], "task_id": r[4],
             "bpmn_id": r[5], "data": json.loads(r[6]), "prev_hash": r[7], "hash": r[8], "actor_kind": r[9],
             "command": r[10], "request_id": r[11]} for r in rows]


def _task(row: Any) -> dict[str, Any]:
    out = dict(zip(TASK_COLUMNS, row, strict=True))
    for key in ("created_at", "claimed_at", "completed_at", "due_at", "warn_at", "warned_at", "overdue_at"):
        out[key] = _iso(out[key])
    out["overdue"] = out["overdue_at"] is not None  # 超期: recorded by the step clock, escalated to ``escalate_to``
    return out


def _step_light(task: dict[str, Any], now: datetime, suspended: bool) -> str | None:
    """A ready task's own light (engine.domain.step_limits), for a task with a step; None for others."""
    if task["step"] is None:
        return None
    return task_light(as_utc(task["warn_at"]), as_utc(task["due_at"]), now, suspended=suspended)


def task_by_id(deps: Deps, task_id: str) -> dict[str, Any] | None:
    """One human task with its case number, or None."""
    with deps.uow(read_only=True) as uow:
        row = task_reads.task_by_id(uow.store, task_id)
    return None if row is None else {**_task(row[:-1]), "case_no": row[-1]}


def task_data(deps: Deps, task_id: str) -> dict[str, Any] | None:
    """The data a ready task sees (what its form shows), or None."""
    with deps.uow(read_only=True) as uow:
        return task_reads.task_data(uow.store, task_id)


def task_list(deps: Deps, flt: TaskFilter, now: datetime) -> dict[str, Any]:
    """The tasks a person may see, filtered, soonest due first, with counts by deadline light."""
    with deps.uow(read_only=True) as uow:
        milestones = {version: deps.spec(uow, version).milestones
                      for version in task_reads.listed_versions(uow.store, flt, now)}
        suspending = tuple((version, bpmn_id) for version, found in sorted(milestones.items())
                           for bpmn_id, milestone in sorted(found.items()) if milestone in SUSPENSION)
        page = task_reads.task_page(uow.store, flt, now, suspending)
        ready = task_reads.ready_bpmn_ids(uow.store, sorted({row[1] for row in page.rows}))
    tasks = []
    for row in page.rows:
        task = _task(row[:len(TASK_COLUMNS)])
        case_no, subtype, channel, district, description, due, warn, process_id = row[len(TASK_COLUMNS):]
        paused = suspended(ready.get(task["case_id"], set()), milestones[task["process_version_id"]])
        # the task's own times when it has a step, else the case's (engine.persistence.read.tasks.LIGHT_DUE)
        task.update(case_no=case_no, subtype=subtype, channel=channel, district=district, description=description,
                    light=task_light(as_utc(warn), as_utc(due), now, suspended=paused), process_id=process_id,
                    escalated=task["overdue"] and task["escalate_to"] is not None
                    and (flt.groups is None or task["escalate_to"] in flt.groups)
                    and task["candidate_group"] not in (flt.groups or ()))
        tasks.append(task)
    return {"tasks": tasks, "total": page.total, "counts": {"green": page.green, "yellow": page.yellow,
                                                            "red": page.red, "grey": page.grey}}
