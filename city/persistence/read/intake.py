"""Reads a report's check needs inside its command's transaction: uploaded attachments, existing cases."""

from __future__ import annotations

from collections.abc import Collection

from engine.persistence.repositories.cases import CaseStore


def uploaded(store: CaseStore, digests: Collection[str]) -> set[str]:
    """Those of ``digests`` (sha256) that were uploaded as an attachment of some case (one query)."""
    if not digests:
        return set()
    marks = ", ".join("?" * len(digests))
    rows = store._execute(f"SELECT DISTINCT sha256 FROM attachments WHERE sha256 IN ({marks})",
                          tuple(digests)).fetchall()
    return {str(r[0]) for r in rows}


def case_exists(store: CaseStore, number: str, case_id: int | None) -> bool:
    """Whether ``number`` names a live case (``case_id``: the id inside it) or an imported history case."""
    if case_id is not None and store._execute("SELECT 1 FROM case_summaries WHERE case_id = ? AND case_no = ?",
                                              (case_id, number)).fetchone() is not None:
        return True
    return store._execute("SELECT 1 FROM case_facts WHERE case_no = ? AND source = 'history'",
                          (number,)).fetchone() is not None
