"""The open rows of an import (``gridcase import cases``): checked one by one, then imported in batches.

Batching rule: every ``open_batch`` good open rows are one ``ImportOpenCases`` command, one transaction. A row
whose checks fail (``parse_open_row``: unknown step, a deadline before the report, an unknown department, a point
outside every grid, …) is a bad row and skipped, as for history. A row the lifecycle itself refuses while it is
driven to its step (or whose assignee may not hold its task) makes the batch write nothing: that row is reported
as bad with its line and the batch is imported again without it (up to ``RETRIES`` times; past that, the batch's
other rows are reported not imported, and importing the file again once the rows are fixed adds them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from city.cutover.commands import ImportOpenCases
from city.cutover.handlers import OpenRowRefused
from city.cutover.rows import OpenCase, parse_open_row
from city.history.importer import Codes, ImportSummary, RowError
from engine.service.bus import MessageBus

if TYPE_CHECKING:
    from datetime import datetime

RETRIES = 3  # a batch is retried without each row the lifecycle refuses, this many times


def known_departments(bus: MessageBus) -> frozenset[str]:
    """The catalogue's enabled department codes (empty when none is loaded: any department is accepted)."""
    from engine.persistence.read.admin import disabled
    from engine.persistence.read.city import departments

    with bus.deps.uow(read_only=True) as uow:
        off = disabled(uow.store, "department")  # an admin disabled it: no new case goes to it
        return frozenset(code for d in departments(uow.store) if (code := str(d["code"])) not in off)


class OpenImport:
    """Collects an import's open rows and imports them in batches (the module's batching rule)."""

    def __init__(self, bus: MessageBus, summary: ImportSummary, imported_at: datetime, codes: Codes,
                 size: int) -> None:
        self.bus, self.summary, self.imported_at, self.codes, self.size = bus, summary, imported_at, codes, size
        self.departments: frozenset[str] | None = None  # read on the first open row
        self.pending: dict[str, OpenCase] = {}
        # Every open number of the file with its first line: a repeat in a later batch is the file's mistake,
        # not a case "already present" (a number and a line per row: small beside the rows themselves).
        self.seen: dict[str, int] = {}

    def take(self, line: int, row: dict[str, str], history: dict[str, Any]) -> None:
        """Check one open row (``RowError`` naming the column) and keep it; a full batch is imported."""
        if self.departments is None:
            self.departments = known_departments(self.bus)
        case = parse_open_row(line, row, self.imported_at, self.codes, self.departments)
        earlier = self.seen.get(case.legacy_no) or (history[case.legacy_no][0] if case.legacy_no in history else None)
        if earlier is not None:
            raise RowError(f"case_no: {case.legacy_no} appears earlier in this file (line {earlier})")
        self.pending[case.legacy_no] = case
        self.seen[case.legacy_no] = line
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Import the pending open rows as one batch (all or none); a row the lifecycle refuses is reported and
        the batch retried without it, at most ``RETRIES`` times (then its other rows are reported not imported)."""
        if not self.pending:
            return
        rows = tuple(self.pending.values())
        self.pending.clear()
        for _ in range(RETRIES + 1):
            try:
                result = self.bus.handle(ImportOpenCases(rows, self.imported_at))
            except OpenRowRefused as refused:
                self.summary.refuse(refused.line, refused.message)
                rows = tuple(row for row in rows if row.line != refused.line)
                if not rows:
                    return
                continue
            self._count(result)
            return
        for row in rows:
            self.summary.refuse(row.line, f"not imported: its batch held more than {RETRIES} rows the lifecycle"
                                          " refused (import the file again once they are fixed)")

    def _count(self, result: dict[str, Any]) -> None:
        for step, count in result["imported"].items():
            self.summary.open[step] = self.summary.open.get(step, 0) + count
        self.summary.present += result["present"]
        self.summary.overdue += result.get("overdue", 0)
        for line, message in result["refused"]:
            self.summary.refuse(line, message)
