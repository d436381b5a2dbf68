"""The commands of this package and their handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from city.cutover.commands import ImportOpenCases
from city.cutover.drive import LEGACY_CHANNEL, LIFECYCLE, drive_case, follow_ups
from city.cutover.rows import OpenCase
from city.persistence.repositories.facts import FactStore
from city.persistence.repositories.imported_cases import ImportedCaseStore
from engine.domain.commands import Command
from engine.domain.errors import GridcaseError, InvalidCommand, NotFound
from engine.persistence.repositories.versions import latest_version
from engine.service.bus import Handler, HandlerContext


class OpenRowRefused(InvalidCommand):
    """A row of the batch could not be brought to its step: the batch wrote nothing (``line`` names the row)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message, field="result")
        self.line = line


def _overdue(row: OpenCase, now: datetime) -> bool:
    """Whether the step the case waits at was past its legacy deadline at the import (the disposal deadline at
    处置, the step's own elsewhere): it is 超期 from its first hour in gridcase."""
    deadline = row.due_at if row.step == "disposal" else row.step_due_at
    return deadline is not None and deadline < now


def import_open_cases(cmd: ImportOpenCases, ctx: HandlerContext) -> dict[str, Any]:
    """Import one batch of open legacy cases into the live lifecycle, all or none: {imported: {step: n}, present: n,
    refused: [(line, message)]} (a number imported as history is refused). ``OpenRowRefused`` (nothing written)
    when the lifecycle refuses a row."""
    deps = ctx.deps
    with deps.uow() as uow:
        version = latest_version(uow.store, LIFECYCLE)
        if version is None:
            raise NotFound(f"no deployed process {LIFECYCLE!r} (run gridcase process deploy first)",
                           field="process_id")
        imported_cases, numbers = uow.repository(ImportedCaseStore), [row.legacy_no for row in cmd.rows]
        imported_cases.lock_numbers(LEGACY_CHANNEL, numbers)  # before looking: a concurrent import waits here
        present = imported_cases.existing(LEGACY_CHANNEL, numbers)
        history = set(uow.repository(FactStore).existing(numbers)[1])  # ended cases imported before
        steps: Counter[str] = Counter()
        drives, refused, overdue = [], [], 0
        for row in cmd.rows:
            if row.legacy_no in history:
                refused.append((row.line, f"case_no: {row.legacy_no} is imported history (ended); an open case"
                                          " cannot replace it"))
            if row.legacy_no in present or row.legacy_no in history:
                continue
            try:
                drive = drive_case(uow, deps, version, row)
            except (GridcaseError, ValueError) as exc:
                field = getattr(exc, "field", None)
                text = getattr(exc, "message", None) or str(exc)
                raise OpenRowRefused(row.line, f"result ({row.step}): {field + ': ' if field else ''}{text}") from exc
            imported_cases.add(drive.case.id, row.legacy_no, row.step, row.history, cmd.actor, cmd.imported_at)
            imported_cases.credit_roles(drive.case.id, cmd.actor, row.history)
            steps[row.step] += 1
            overdue += _overdue(row, cmd.imported_at)
            drives.append(drive)
    ctx.follow_ups.extend(follow_ups(drives))
    return {"imported": dict(steps), "overdue": overdue,
            "present": sum(1 for row in cmd.rows if row.legacy_no in present), "refused": refused}


CUTOVER_HANDLERS: dict[type[Command], Handler] = {ImportOpenCases: import_open_cases}
