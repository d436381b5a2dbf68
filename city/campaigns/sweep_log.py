"""A sweep's records in its case's audit chain: one event, a step of its own with no workflow step (as 改派 writes
``task_reassigned``), so the grid's case says what was ticked, counted and found, by whom and when, and its replay
still verifies (``engine.service.audit.run_jobs``: ``record_sweep``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain import events as ev
from engine.domain.views import StepRecord
from engine.persistence.uow import UnitOfWork
from engine.service.deps import Deps
from engine.service.step_hooks import run_step_hooks
from engine.service.steps import chain_events


def append_sweep_event(uow: UnitOfWork, deps: Deps, case_id: int, kind: str, data: dict[str, Any], actor: str,
                       now: datetime, actor_kind: str | None) -> tuple[int, int]:
    """Lock the sweep case, chain one ``kind`` event with ``data`` and hand it to the step hooks; (the case's old
    version, its new one) — the caller moves a hot workflow on after the commit (``keep_runner``)."""
    store = uow.store
    case = store.lock_case(case_id)
    record = StepRecord(kind, data=data)
    events = chain_events(case, [record], actor, now, command=ev.RECORD_SWEEP_COMMAND, actor_kind=actor_kind)
    store.append_events(case.id, case.process_version_id, events)
    run_step_hooks(uow, deps.step_hooks, case.id, [record], actor, now)
    return case.version, store.finish_case(case, workflow_json=None, status=case.status, now=now, events=events)


def keep_runner(deps: Deps, case_id: int, versions: tuple[int, int]) -> None:
    """After the commit: the hot workflow of the old version is the new version's (a record is no workflow state)."""
    runner = deps.workflows.take(case_id, versions[0])
    if runner is not None:
        deps.workflows.put(case_id, versions[1], runner)
