"""Case pages and summaries: reads of ``case_summaries`` and ``cases`` and a case's events."""

from __future__ import annotations

import json
from typing import Any

from engine.persistence.repositories.cases import CaseStore

SUMMARY_COLUMNS = ("case_no", "channel", "subtype", "description", "district", "resp_grid", "unit_grid", "lon",
                   "lat", "urgency", "department", "due_at", "warn_at", "counters", "evaluation")
CASE_COLUMNS = ("status", "process_id", "started_at", "completed_at", "version", "started_by")  # after the summary's
EVENT_COLUMNS = ("seq", "occurred_at", "actor", "event_type", "task_id", "bpmn_id", "data", "prev_hash", "hash",
                 "actor_kind", "command", "request_id")
RECENT_COLUMNS = ("case_no", "channel", "subtype", "district", "department", "urgency", "status", "started_at",
                  "process_id")


def summary(store: CaseStore, case_id: int, number: str) -> tuple[Any, ...] | None:
    """The live case's summary (``SUMMARY_COLUMNS``), then its status, process id, start, end, version, starter
    (``CASE_COLUMNS``) and process version id, when its id and number agree."""
    row: tuple[Any, ...] | None = store._execute(
        f"SELECT {', '.join('s.' + c for c in SUMMARY_COLUMNS)}, c.status, c.process_id,"
        " c.started_at, c.completed_at, c.version, c.started_by, c.process_version_id FROM case_summaries s"
        " JOIN cases c ON c.id = s.case_id WHERE s.case_id = ? AND s.case_no = ?",
        (case_id, number)).fetchone()
    return row


def events(store: CaseStore, case_id: int) -> list[tuple[Any, ...]]:
    """The case's audit rows (``EVENT_COLUMNS``, ``data`` as JSON text) in seq order."""
    rows: list[tuple[Any, ...]] = store._execute(
        f"SELECT {', '.join(EVENT_COLUMNS)} FROM case_events WHERE case_id = ? ORDER BY seq", (case_id,)).fetchall()
    return rows


def all_event_columns(store: CaseStore, case_id: int) -> list[dict[str, Any]]:
    """The case's audit rows in seq order with every stored column (newer ones such as ``actor_kind`` included)."""
    cursor = store._execute("SELECT * FROM case_events WHERE case_id = ? ORDER BY seq", (case_id,))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def case_no(store: CaseStore, case_id: int) -> str | None:
    """The number the summary gave a live case, or None."""
    row = store._execute("SELECT case_no FROM case_summaries WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def has_number(store: CaseStore, case_id: int, number: str) -> bool:
    """Whether the live case ``case_id`` has the case number ``number``."""
    return store._execute("SELECT 1 FROM case_summaries WHERE case_id = ? AND case_no = ?",
                         (case_id, number)).fetchone() is not None


def status_and_version(store: CaseStore, case_id: int) -> tuple[str, int] | None:
    """The case's status and the id of the process version it runs on, or None."""
    row = store._execute("SELECT status, process_version_id FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def recent(store: CaseStore, limit: int) -> list[dict[str, Any]]:
    """The most recently started cases (``RECENT_COLUMNS``), newest first."""
    rows = store._execute(
        "SELECT s.case_no, s.channel, s.subtype, s.district, s.department, s.urgency, c.status, c.started_at,"
        " c.process_id FROM case_summaries s JOIN cases c ON c.id = s.case_id ORDER BY c.id DESC LIMIT ?",
        (limit,)).fetchall()
    return [dict(zip(RECENT_COLUMNS, row, strict=True)) for row in rows]


def final_data(store: CaseStore, case_id: int) -> Any:
    """The workflow-level data stored with the case (what a finished case ended with), or None."""
    return json.loads(store.workflow_json(case_id)).get("data")


def open_deadlines(store: CaseStore, department: str) -> list[tuple[int, Any, Any, int]]:
    """(case id, due_at, warn_at, process version id) of the department's running cases not yet evaluated."""
    rows: list[tuple[int, Any, Any, int]] = store._execute(
        "SELECT s.case_id, s.due_at, s.warn_at, c.process_version_id FROM case_summaries s"
        " JOIN cases c ON c.id = s.case_id"
        " WHERE s.department = ? AND c.status <> 'completed' AND s.evaluation IS NULL", (department,)).fetchall()
    return rows


def diagram_marks(store: CaseStore, case_id: int) -> tuple[set[str], set[str]]:
    """The BPMN ids a case has done (tasks completed, timers fired) and the timers it waits on."""
    done = {r[0] for r in store._execute("SELECT DISTINCT bpmn_id FROM case_events WHERE case_id = ? AND"
                                        " event_type IN ('task_completed', 'timer_fired') AND bpmn_id IS NOT NULL",
                                        (case_id,)).fetchall()}
    waiting = {r[0] for r in store._execute("SELECT bpmn_id FROM timers WHERE case_id = ? AND status = 'pending'",
                                           (case_id,)).fetchall()}
    return done, waiting


def live_case_numbers(store: CaseStore) -> list[str]:
    """Every live case's number (benches sample case pages from them)."""
    return [r[0] for r in store._execute("SELECT case_no FROM case_summaries").fetchall()]


def summary_subtypes(store: CaseStore) -> list[str]:
    """The subtypes live cases have."""
    return [r[0] for r in store._execute("SELECT DISTINCT subtype FROM case_summaries WHERE subtype IS NOT NULL")
            .fetchall()]


def live_case_count(store: CaseStore) -> int:
    """How many live cases have a summary."""
    return int(store._execute("SELECT COUNT(*) FROM case_summaries").fetchone()[0])
