"""Reads a task form's check needs inside the command's transaction: which codes and hashes exist."""

from __future__ import annotations

from collections.abc import Collection

from engine.persistence.repositories.cases import CaseStore


def _marks(values: Collection[str]) -> str:
    return ", ".join("?" * len(values))


def known_departments(store: CaseStore, codes: Collection[str]) -> set[str]:
    """Those of ``codes`` that name a department (one query for all of them)."""
    if not codes:
        return set()
    rows = store._execute(f"SELECT code FROM departments WHERE code IN ({_marks(codes)})", tuple(codes)).fetchall()
    return {str(r[0]) for r in rows}


def uploaded_to_case(store: CaseStore, case_id: int, digests: Collection[str]) -> set[str]:
    """Those of ``digests`` (sha256) that are attachments of the case."""
    if not digests:
        return set()
    rows = store._execute(f"SELECT sha256 FROM attachments WHERE case_id = ? AND sha256 IN ({_marks(digests)})",
                         (case_id, *digests)).fetchall()
    return {str(r[0]) for r in rows}


def subtype_exists(store: CaseStore, code: str) -> bool:
    """Whether the catalogue has this subtype and it may be reported (an admin did not disable it)."""
    return store._execute("SELECT 1 FROM subtypes WHERE code = ? AND NOT EXISTS (SELECT 1 FROM disabled_entries d"
                          " WHERE d.kind = 'subtype' AND d.key = subtypes.code)", (code,)).fetchone() is not None


def open_cases(store: CaseStore, numbers: Collection[str]) -> dict[str, str | None]:
    """Those of the case ``numbers`` that name a running case, each with its current department (or None)."""
    if not numbers:
        return {}
    rows = store._execute(
        "SELECT s.case_no, s.department FROM case_summaries s JOIN cases c ON c.id = s.case_id"
        f" WHERE s.case_no IN ({_marks(numbers)}) AND c.status = 'running'", tuple(numbers)).fetchall()
    return {str(r[0]): r[1] for r in rows}
