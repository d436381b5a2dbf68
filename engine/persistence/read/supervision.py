"""The 督办 (case supervision) cases of a case: cases of the process ``case_supervision`` whose start data names the
case's number (``case_no``), with their open answer deadline — what the case page lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore

SUPERVISION_PROCESS = "case_supervision"
ANSWER_TASK, WARNING_TIMER = "answer_supervision", "answer_warning"


@dataclass(frozen=True)
class SupervisionRow:
    """One 督办 of a case: its own number, state, who issued it and when, its department and instruction, the open
    answer task's deadline and the pending warning's due time (None once answered or ended)."""

    case_id: int
    case_no: str
    status: str
    started_at: datetime | None
    started_by: str
    department: str | None
    instruction: str | None
    steps: tuple[str, ...]
    due_at: datetime | None
    warn_at: datetime | None


def _start_data(text: str) -> dict[str, Any]:
    value = json.loads(text)
    data = value.get("data") if isinstance(value, dict) else None
    return data if isinstance(data, dict) else {}


def supervisions_of(store: CaseStore, case_no: str) -> list[SupervisionRow]:
    """The 督办 cases started on ``case_no``, oldest first. The start data is canonical JSON (sorted keys, no
    spaces), so a LIKE narrows the scan to the right rows; each is checked exactly after parsing."""
    needle = '%"case_no":' + json.dumps(case_no, ensure_ascii=False) + "%"
    rows = store._execute(
        "SELECT c.id, s.case_no, c.status, c.started_at, c.started_by, e.data FROM cases c"
        " JOIN case_summaries s ON s.case_id = c.id"
        " JOIN case_events e ON e.case_id = c.id AND e.event_type = 'case_started'"
        " WHERE c.process_id = ? AND e.data LIKE ? ORDER BY c.id", (SUPERVISION_PROCESS, needle)).fetchall()
    found = [(r, _start_data(r[5])) for r in rows]
    found = [(r, d) for r, d in found if d.get("case_no") == case_no]
    if not found:
        return []
    ids = tuple(r[0] for r, _ in found)
    marks = ", ".join("?" * len(ids))
    tasks = store._execute(f"SELECT case_id, name, bpmn_id, due_at FROM human_tasks WHERE state = 'ready'"
                           f" AND case_id IN ({marks}) ORDER BY created_at, id", ids).fetchall()
    warns = dict(store._execute(f"SELECT case_id, due_at FROM timers WHERE status = 'pending' AND bpmn_id = ?"
                                f" AND case_id IN ({marks})", (WARNING_TIMER, *ids)).fetchall())
    out = []
    for row, data in found:
        ready = [t for t in tasks if t[0] == row[0]]
        due = next((as_utc(t[3]) for t in ready if t[2] == ANSWER_TASK), None)
        out.append(SupervisionRow(row[0], str(row[1]), str(row[2]), as_utc(row[3]), str(row[4]),
                                  data.get("department"), data.get("instruction"),
                                  tuple(str(t[1] or t[2]) for t in ready), due, as_utc(warns.get(row[0]))))
    return out
