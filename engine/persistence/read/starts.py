"""Who started a case (``cases.started_by``): the account whose command began it. An account that may read only
the cases it started itself (the vision worker: it checks whether the case its last alert opened is still open)
is checked against it."""

from __future__ import annotations

from engine.persistence.repositories.cases import CaseStore


def started_by(store: CaseStore, case_id: int) -> str | None:
    """The username that started the live case ``case_id``, or None when there is no such case."""
    row = store._execute("SELECT started_by FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else str(row[0])
