"""Who started a case (``cases.started_by``): the account whose command began it. An account that may read only
the cases it started itself (the vision worker: it checks whether the case its last alert opened is still open)
is checked against it; the list 我发起的 (my started cases) reads the cases someone started, and an idempotent start
compares the first start's data with a repeated one."""

from __future__ import annotations

from typing import Any

from engine.persistence.repositories.cases import CaseStore


def started_by(store: CaseStore, case_id: int) -> str | None:
    """The username that started the live case ``case_id``, or None when there is no such case."""
    row = store._execute("SELECT started_by FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])


def start_data(store: CaseStore, case_id: int) -> str | None:
    """The ``case_started`` event's data (JSON text: process, version, the start data, channel …) of the case, or
    None when it has none (an imported history case, no such case)."""
    row = store._execute("SELECT data FROM case_events WHERE case_id = ? AND event_type = 'case_started'"
                         " ORDER BY seq LIMIT 1", (case_id,)).fetchone()
    return None if row is None else str(row[0])


STARTED_COLUMNS = ("case_no", "process_id", "status", "started_at", "completed_at", "channel", "subtype",
                   "description")


def started_cases(store: CaseStore, username: str, limit: int) -> list[dict[str, Any]]:
    """The live cases ``username`` started (``STARTED_COLUMNS``), newest first, at most ``limit``."""
    rows = store._execute(
        "SELECT s.case_no, c.process_id, c.status, c.started_at, c.completed_at, s.channel, s.subtype,"
        " s.description FROM cases c JOIN case_summaries s ON s.case_id = c.id WHERE c.started_by = ?"
        " ORDER BY c.id DESC LIMIT ?", (username, limit)).fetchall()
    return [dict(zip(STARTED_COLUMNS, row, strict=True)) for row in rows]
