"""Task lists, one task by id and the data a task sees: reads of ``human_tasks`` (joined to ``case_summaries``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.persistence.repositories.cases import CaseStore

TASK_COLUMNS = ("id", "case_id", "bpmn_id", "name", "lane", "candidate_group", "form", "state", "assignee",
                "created_at", "claimed_at", "completed_at", "completed_by", "due_at",
                "step", "warn_at", "escalate_to", "warned_at", "overdue_at", "process_version_id")
LIST_EXTRA = ("case_no", "subtype", "channel", "district", "description", "due_at", "warn_at",
              "process_id")  # of the case; due_at and warn_at are the light's: the task's own when it has a step
# The light's times: a task with a step has its own (none when its decision gave no limit); others show the case's.
LIGHT_DUE = "CASE WHEN h.step IS NULL THEN s.due_at ELSE h.due_at END"
LIGHT_WARN = "CASE WHEN h.step IS NULL THEN s.warn_at ELSE h.warn_at END"
# each light as SQL with its number of time parameters (engine.domain.step_limits.task_light: a due time without a
# warning time is green until it is due)
LIGHTS = {"green": (f"({LIGHT_DUE}) > ? AND (({LIGHT_WARN}) IS NULL OR ({LIGHT_WARN}) > ?)", 2),
          "yellow": (f"({LIGHT_WARN}) <= ? AND ({LIGHT_DUE}) > ?", 2),
          "red": (f"({LIGHT_DUE}) <= ?", 1)}
# cases by its primary key: the process a task belongs to (every process's tasks share the lists)
_JOINS = (" FROM human_tasks h LEFT JOIN case_summaries s ON s.case_id = h.case_id"
          " JOIN cases c ON c.id = h.case_id")


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
    process_id: str | None = None  # the tasks of one process's cases
    escalated: bool = False  # 超期督办: only overdue tasks escalated to one of ``groups``
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class TaskPage:
    """One page of a task list: rows of ``TASK_COLUMNS`` + ``LIST_EXTRA``, and counts by deadline light."""

    rows: list[tuple[Any, ...]]
    total: int
    green: int
    yellow: int
    red: int
    grey: int = 0  # the tasks of suspended cases (挂账), counted apart from the other lights


# (process version id, BPMN id) of the tasks whose being ready suspends their case (the ``suspended`` milestone)
Suspending = tuple[tuple[int, str], ...]


def _suspended(pairs: Suspending) -> tuple[str, list[Any]]:
    """SQL: the task's case has a ready task that suspends it (挂账)."""
    if not pairs:
        return "1 = 0", []
    marks = " OR ".join("(r.process_version_id = ? AND r.bpmn_id = ?)" for _ in pairs)
    return (f"EXISTS (SELECT 1 FROM human_tasks r WHERE r.case_id = h.case_id AND r.state = 'ready' AND ({marks}))",
            [value for pair in pairs for value in pair])


def ready_tasks(store: CaseStore, case_id: int) -> list[tuple[Any, ...]]:
    """The case's ready human tasks (``TASK_COLUMNS``), oldest first."""
    rows: list[tuple[Any, ...]] = store._execute(
        f"SELECT {', '.join(TASK_COLUMNS)} FROM human_tasks WHERE case_id = ? AND state = 'ready'"
        " ORDER BY created_at, id", (case_id,)).fetchall()
    return rows


def task_by_id(store: CaseStore, task_id: str) -> tuple[Any, ...] | None:
    """One human task (``TASK_COLUMNS``) followed by its case number, or None."""
    row: tuple[Any, ...] | None = store._execute(
        f"SELECT {', '.join('h.' + c for c in TASK_COLUMNS)}, s.case_no FROM human_tasks h"
        " LEFT JOIN case_summaries s ON s.case_id = h.case_id WHERE h.id = ?", (task_id,)).fetchone()
    return row


def task_data(store: CaseStore, task_id: str) -> dict[str, Any] | None:
    """The data a workflow task sees (what a form shows), or None."""
    row = store._execute("SELECT d.data FROM workflow_tasks t JOIN task_data d"
                        " ON d.case_id = t.case_id AND d.hash = t.data_hash WHERE t.task_id = ?",
                        (task_id,)).fetchone()
    return json.loads(row[0]) if row else None


def _task_where(store: CaseStore, flt: TaskFilter, now: datetime,
                suspending: Suspending = ()) -> tuple[str, list[Any]]:
    clauses, params = ["h.state = ?"], [flt.state]
    marks = ", ".join("?" for _ in flt.groups or ()) or "NULL"
    if flt.escalated:  # overdue and escalated to the reader's groups (everyone's, for people who read everything)
        clauses.append("h.overdue_at IS NOT NULL" + ("" if flt.groups is None else f" AND h.escalate_to IN ({marks})"))
        params += sorted(flt.groups or ())
    elif flt.groups is not None:  # an overdue task is also its escalation group's (超期督办)
        clauses.append(f"(h.candidate_group IN ({marks}) OR h.assignee = ?"
                       f" OR (h.overdue_at IS NOT NULL AND h.escalate_to IN ({marks})))")
        params += [*sorted(flt.groups), flt.username, *sorted(flt.groups)]
    for column, value in (("h.candidate_group", flt.group), ("s.case_no", flt.case_no), ("s.subtype", flt.subtype),
                          ("s.channel", flt.channel), ("s.district", flt.district),
                          ("s.resp_grid", flt.resp_grid), ("s.unit_grid", flt.unit_grid),
                          ("c.process_id", flt.process_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if flt.mine:
        clauses.append("h.assignee = ?")
        params.append(flt.username)
    if flt.light is not None:
        stamp = store.dialect.stamp(now)
        suspended, pairs = _suspended(suspending)
        if flt.light == "grey":
            clauses.append(f"({LIGHT_DUE}) IS NOT NULL AND {suspended}")
        else:
            condition, stamps = LIGHTS[flt.light]
            clauses.append(f"{condition} AND NOT {suspended}")
            params += [stamp] * stamps
        params += pairs
    return " AND ".join(clauses), params


def listed_versions(store: CaseStore, flt: TaskFilter, now: datetime) -> list[int]:
    """The process versions of the tasks ``flt`` selects (light aside): whose milestones say which tasks suspend."""
    where, params = _task_where(store, replace(flt, light=None), now)
    return [int(r[0]) for r in store._execute(
        f"SELECT DISTINCT h.process_version_id{_JOINS} WHERE {where}", params).fetchall()]


def task_page(store: CaseStore, flt: TaskFilter, now: datetime, suspending: Suspending = ()) -> TaskPage:
    """The tasks ``flt`` selects, soonest due first, one page, with the counts of all of them by deadline light
    (``suspending``: the tasks whose being ready makes their case's tasks grey, counted apart)."""
    where, params = _task_where(store, flt, now, suspending)
    rows = store._execute(
        f"SELECT {', '.join('h.' + c for c in TASK_COLUMNS)}, s.case_no, s.subtype, s.channel, s.district,"
        f" s.description, {LIGHT_DUE}, {LIGHT_WARN}, c.process_id{_JOINS} WHERE {where}"
        " ORDER BY CASE WHEN h.due_at IS NULL THEN 1 ELSE 0 END, h.due_at, h.created_at, h.id LIMIT ? OFFSET ?",
        (*params, flt.limit, flt.offset)).fetchall()
    stamp = store.dialect.stamp(now)
    suspended, pairs = _suspended(suspending)
    grey = f"({LIGHT_DUE}) IS NOT NULL AND {suspended}"
    sums, sum_params = [], []
    for light in ("green", "yellow", "red"):
        condition, stamps = LIGHTS[light]
        sums.append(f"SUM(CASE WHEN {grey} THEN 0 WHEN {condition} THEN 1 ELSE 0 END)")
        sum_params += [*pairs, *[stamp] * stamps]
    counts = store._execute(
        f"SELECT COUNT(*), {', '.join(sums)}, SUM(CASE WHEN {grey} THEN 1 ELSE 0 END){_JOINS} WHERE {where}",
        (*sum_params, *pairs, *params)).fetchone()
    total, green, yellow, red, greys = (int(v or 0) for v in counts)
    return TaskPage(rows, total, green, yellow, red, greys)


def open_task_count(store: CaseStore) -> int:
    """How many human tasks are ready, in every list."""
    return int(store._execute("SELECT COUNT(*) FROM human_tasks WHERE state = 'ready'").fetchone()[0])


def busiest_groups(store: CaseStore) -> list[str]:
    """Candidate groups of human tasks, the most tasks first (what benches sample department queues from)."""
    return [r[0] for r in store._execute("SELECT candidate_group FROM human_tasks WHERE candidate_group IS NOT NULL"
                                        " GROUP BY candidate_group ORDER BY COUNT(*) DESC").fetchall()]


def ready_by_department(store: CaseStore, department: str) -> dict[int, set[str]]:
    """case id → the BPMN ids of its ready human tasks, for the cases of one department."""
    ready: dict[int, set[str]] = {}
    for case_id, bpmn_id in store._execute(
            "SELECT h.case_id, h.bpmn_id FROM human_tasks h JOIN case_summaries s ON s.case_id = h.case_id"
            " WHERE s.department = ? AND h.state = 'ready'", (department,)).fetchall():
        ready.setdefault(case_id, set()).add(bpmn_id)
    return ready


def clock_due_cases(store: CaseStore, now: datetime, limit: int) -> list[int]:
    """Cases with a ready task past its warning time not yet warned, or past its due time not yet recorded overdue
    (the step clock's sweep; the partial indexes on warn_at and due_at over ready tasks with a step)."""
    stamp = store.dialect.stamp(now)
    rows = store._execute(
        "SELECT case_id FROM human_tasks WHERE state = 'ready' AND step IS NOT NULL AND warned_at IS NULL"
        " AND warn_at <= ? UNION SELECT case_id FROM human_tasks WHERE state = 'ready' AND step IS NOT NULL"
        " AND overdue_at IS NULL AND due_at <= ? ORDER BY 1 LIMIT ?", (stamp, stamp, limit)).fetchall()
    return [int(r[0]) for r in rows]


def ready_bpmn_ids(store: CaseStore, case_ids: list[int]) -> dict[int, set[str]]:
    """case id → the BPMN ids of its ready human tasks (whether a case on a task list is suspended, 挂账)."""
    if not case_ids:
        return {}
    marks = ", ".join("?" for _ in case_ids)
    ready: dict[int, set[str]] = {}
    for case_id, bpmn_id in store._execute(
            f"SELECT case_id, bpmn_id FROM human_tasks WHERE state = 'ready' AND case_id IN ({marks})",
            tuple(case_ids)).fetchall():
        ready.setdefault(case_id, set()).add(bpmn_id)
    return ready
