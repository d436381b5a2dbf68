"""Queries of case migration: which running cases are on other versions, and moving one to a new version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.persistence.repositories.cases import CaseStore


def running_cases_off_version(store: CaseStore, process_id: str,
                              version_id: int) -> list[tuple[int, int, int, str | None]]:
    """(case id, version id, version number, case number) of the process's running cases on other versions."""
    return [tuple(r) for r in store._execute(
        "SELECT c.id, c.process_version_id, v.number, s.case_no FROM cases c"
        " JOIN process_versions v ON v.id = c.process_version_id"
        " LEFT JOIN case_summaries s ON s.case_id = c.id"
        " WHERE c.process_id = ? AND c.status = 'running' AND c.process_version_id <> ? ORDER BY c.id",
        (process_id, version_id)).fetchall()]


def move_case_to_version(store: CaseStore, case_id: int, version_id: int, ready: Iterable[Any]) -> None:
    """A migrated case: its new process version, and its ready human tasks as that version names them."""
    store._execute("UPDATE cases SET process_version_id = ? WHERE id = ?", (version_id, case_id))
    store._executemany(
        "UPDATE human_tasks SET process_version_id = ?, bpmn_id = ?, name = ?, lane = ?, candidate_group = ?,"
        " form = ?, due_at = ? WHERE id = ? AND case_id = ? AND state = 'ready'",
        ((version_id, v.bpmn_id, v.name, v.lane, v.candidate_group, v.form, store.dialect.stamp(v.due_at),
          v.task_id, case_id) for v in ready),
    )
