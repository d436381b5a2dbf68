"""Keep a live case's facts row (and the per-month counts) with every step that changes its data."""

from __future__ import annotations

from city.facts.model import case_facts, role_doers
from city.persistence.repositories.fact_rows import FactRow, upsert_facts
from engine.persistence.repositories.summaries import live_case_no
from engine.persistence.uow import UnitOfWork
from engine.service.step_hooks import StepWritten


def write_live_facts(uow: UnitOfWork, step: StepWritten) -> None:
    """The engine's step hook: the case's facts from its newest data; who completed a role task (by the
    milestones of the case's version) is recorded. A case has none until it is registered (``reported_at``) and
    while it has no case number (no summary)."""
    if not step.data:
        return  # the step did not change the case's data: its facts stand
    facts = case_facts(step.data)
    case_no = None if facts is None else live_case_no(uow.store, step.case_id)
    if facts is None or case_no is None:
        return
    roles = role_doers(step.records, step.milestones, step.actor)
    upsert_facts(uow.store, [FactRow(case_no, facts, "live", step.case_id, roles)], step.now)
