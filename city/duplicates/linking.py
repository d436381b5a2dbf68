"""Linking a voided report to its original — the one code every way of voiding a duplicate goes through.

``link_duplicate`` writes both directions of the link and a ``duplicate_linked`` audit event in the original's hash
chain (a step of its own, no workflow step, as 改派 writes ``task_reassigned``), so the original's log says which
report was voided into it, by whom, and its replay still verifies.

``link_voided_report`` is the city's step hook: a case voided at 立案 with reason duplicate by the ordinary form (or
anything else that completes the task) whose report named ``duplicate_of`` is linked to that case when it is an
open live case; otherwise no link is made (the case's ``links.duplicate_of`` stays null).
"""

from __future__ import annotations

from datetime import datetime

from city.persistence.read import duplicates as reads
from city.persistence.repositories.case_links import CaseLinkStore
from engine.domain import events as ev
from engine.domain.summary import case_id_from_no
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.uow import UnitOfWork
from engine.service.step_hooks import StepWritten
from engine.service.steps import chain_events


def link_duplicate(uow: UnitOfWork, duplicate_id: int, duplicate_no: str, original: CaseRow, actor: str,
                   now: datetime, note: str | None, actor_kind: str | None = None) -> None:
    """Link ``duplicate_id`` to the (locked) ``original`` both ways and record it in the original's log."""
    store = uow.store
    uow.repository(CaseLinkStore).link_duplicate(duplicate_id, original.id, actor, now, note)
    record = StepRecord(ev.DUPLICATE_LINKED, data={"duplicate": duplicate_no, "by": actor})
    events = chain_events(original, [record], actor, now, command=ev.LINK_DUPLICATE_COMMAND, actor_kind=actor_kind)
    store.append_events(original.id, original.process_version_id, events)
    # the original's version moves on: a cached workflow of the old version is simply not taken again
    store.finish_case(original, workflow_json=None, status=original.status, now=now, events=events)


def _voided_as_duplicate(step: StepWritten) -> bool:
    return any(r.event_type == ev.CASE_VOIDED and r.data.get("reason") == "duplicate" for r in step.records)


def link_voided_report(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook: a case just voided as a duplicate whose report names ``duplicate_of`` is linked to it (when
    that number is an open live case other than itself, and the case is not linked already)."""
    if not step.data or not _voided_as_duplicate(step):
        return
    report = step.data.get("report")
    named = report.get("duplicate_of") if isinstance(report, dict) else None
    original_id = case_id_from_no(named) if isinstance(named, str) else None
    store = uow.store
    if original_id is None or original_id == step.case_id or reads.original_of(store, step.case_id) is not None:
        return  # no known original, or linked already (VoidAsDuplicate links before its step)
    original, this = reads.fact_state(store, original_id), reads.fact_state(store, step.case_id)
    if original is None or this is None or original["case_no"] != named or original["result"] != "open":
        return
    locked = store.lock_case(original_id)
    if locked.updated_at is not None and locked.updated_at > step.now:
        return  # the original's log is ahead of this step's clock: leave it unlinked rather than refuse the void
    link_duplicate(uow, step.case_id, this["case_no"], locked, step.actor, step.now, "上报时注明 / named by the report")
