"""Law enforcement's events in the originating case's audit chain: one event, a step of its own with no workflow
step (as 改派 writes ``task_reassigned``), so the case says when it went to enforcement and what came of it, and its
replay still verifies (``engine.service.audit.run_jobs``: ``record_enforcement``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain import events as ev
from engine.domain.views import StepRecord
from engine.persistence.uow import UnitOfWork
from engine.service.jobs import append_step


def append_origin_event(uow: UnitOfWork, origin_id: int, kind: str, data: dict[str, Any], actor: str,
                        now: datetime, actor_kind: str | None = None) -> None:
    """Lock the originating case and chain one ``kind`` event with ``data``. The moment is the origin's last step's
    when that is later (its log may be ahead of the enforcement case's clock): the result must still get there."""
    case = uow.store.lock_case(origin_id)
    moment = max(now, case.updated_at) if case.updated_at is not None else now
    # the case's version moves on: a cached workflow of the old version is simply not taken again
    append_step(uow, case, StepRecord(kind, data=data), actor, moment, ev.RECORD_ENFORCEMENT_COMMAND, actor_kind)
