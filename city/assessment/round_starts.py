"""StartRoundInspections (考评检查派发): a round's inspection cases started chunk by chunk.

Opening a round writes its row and one inspection row per object in the round case's first step (cheap rows);
starting thousands of ``assessment_inspection`` cases in that one step held the SQLite database for most of a
minute (every other writer refused) and kept every case's runner in memory. Here each chunk — up to ``limit``
inspections with no case yet — is one transaction: the round case and the round's row locked (in that order, as
the round's own steps take them), the chunk's cases started (``engine.service.bulk_starts``, no notification per
case: the round tells its teams once), committed, and only that chunk's runners handed to ``finish_bulk``. The
chunk that starts the round's last inspection delivers ``round_inspections_started`` to the round case in the
same transaction; the round model then tells the teams.

The scheduler runs it every ``PERIOD_SECONDS`` (``SCHEDULE``), each run chunk after chunk for at most
``BUDGET_SECONDS`` and then leaving the database to other writers until its next run; ``gridcase assessment
round start`` drives its own round's chunks to the end."""

from __future__ import annotations

import functools
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from city.assessment.commands import StartRoundInspections
from city.assessment.round_hooks import INSPECTION_PROCESS, STARTED_MESSAGE
from city.assessment.round_payload import inspection_payload, round_warn_at
from city.persistence.read import assessment_rounds as round_reads
from engine.domain.commands import Command
from engine.domain.forms import FieldsRejected
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import StartedCase, finish_bulk, start_cases_in
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.event_handlers import deliver_locked
from engine.service.handlers import check_text, finish_command

MAX_LIMIT = 1000
BUDGET_SECONDS = 2.0  # a scheduler run's chunks: then other writers get the database until the next run
PERIOD_SECONDS = 2.5
SCHEDULE: tuple[tuple[float, Any], ...] = (
    (PERIOD_SECONDS, functools.partial(StartRoundInspections, budget_seconds=BUDGET_SECONDS)),)


def _payloads(uow: UnitOfWork, round_row: dict[str, Any], pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The INSPECTION PAYLOAD of each pending inspection (the round's checklist version, its times)."""
    items = round_reads.round_checklist_items(uow.store, int(round_row["id"]))
    warn = round_warn_at(round_row["starts_at"], round_row["due_at"], round_row["started_at"])
    times = {**round_row, "warn_at": warn}
    return [inspection_payload(row, times, items, int(row["inspection_id"])) for row in pending]


def _tell_round(uow: UnitOfWork, deps: Deps, case: CaseRow, round_id: int, started: int, cmd: StartRoundInspections,
                now: datetime) -> tuple[int, Any, Any] | None:
    """Deliver ``round_inspections_started`` to the round case waiting for it (None: it does not wait, e.g. a
    round of an earlier model version); the case's new version, runner and outcome."""
    waits = tuple(task for waiting, task, _ in uow.store.message_waits(STARTED_MESSAGE) if waiting == case.id)
    if not waits:
        return None
    return deliver_locked(uow, deps, case, STARTED_MESSAGE, {"round_id": round_id, "inspections": started}, waits,
                          cmd.actor, now, cmd.actor_kind)


def _chunk(deps: Deps, cmd: StartRoundInspections, round_id: int, now: datetime
           ) -> tuple[list[StartedCase], int, tuple[CaseRow, tuple[int, Any, Any] | None] | None]:
    """One chunk in one transaction: the cases started, how many remain, the round case told (if it was)."""
    with deps.uow() as uow:
        found = round_reads.round_by_id(uow.store, round_id)
        if found is None:
            return [], 0, None
        case = uow.store.lock_case(int(found["case_id"]))
        round_row = round_reads.locked_round(uow.store, round_id)
        if round_row is None or round_row["state"] != "running":
            return [], 0, None
        before = round_reads.pending_count(uow.store, round_id)
        pending = round_reads.pending_inspections(uow.store, round_id, cmd.limit)
        started = start_cases_in(uow, deps, INSPECTION_PROCESS, _payloads(uow, round_row, pending), cmd.actor, now,
                                 actor_kind=cmd.actor_kind, notify=False, numbers=False)
        left = round_reads.pending_count(uow.store, round_id)
        if pending and left >= before:  # the inspection cases' hook did not take their rows: never loop on them
            raise RuntimeError(f"round {round_id}: the started inspection cases did not record their case ids")
        told = None
        if left == 0:
            told = (case, _tell_round(uow, deps, case, round_id, int(round_row["object_count"]), cmd, now))
    return started, left, told


def start_round_inspections(cmd: StartRoundInspections, ctx: HandlerContext) -> dict[str, Any]:
    """One chunk of a round's inspection cases (see the module's docstring): ``{round_id, started, pending,
    told}`` (``round_id`` None: no round has any left). 422 naming ``limit`` outside 1..1000."""
    deps = ctx.deps
    began = time.monotonic()
    check_text(cmd.actor, "actor")
    if isinstance(cmd.limit, bool) or not isinstance(cmd.limit, int) or not 1 <= cmd.limit <= MAX_LIMIT:
        raise FieldsRejected({"limit": f"a chunk is 1 to {MAX_LIMIT} inspections"})
    with deps.uow(read_only=True) as uow:  # an idle scheduler run takes no write lock
        found = round_reads.round_with_pending(uow.store, cmd.round_id)
    if found is None:
        return {"round_id": cmd.round_id, "started": 0, "pending": 0, "told": False}
    round_id = int(found["id"])
    started, left, told = _chunk(deps, cmd, round_id, deps.clock.now())
    finish_bulk(deps, ctx, started)  # only this chunk's runners: they go as the command ends
    if told is not None and told[1] is not None:
        finish_command(deps, ctx, told[0].id, *told[1])
    remaining = cmd.budget_seconds - (time.monotonic() - began)
    if started and remaining > 0 and (left > 0 or cmd.round_id is None):
        ctx.follow_ups.append(replace(cmd, budget_seconds=remaining))  # its own transaction, after this one
    return {"round_id": round_id, "started": len(started), "pending": left,
            "told": told is not None and told[1] is not None}


HANDLERS: dict[type[Command], Any] = {StartRoundInspections: start_round_inspections}
