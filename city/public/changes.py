"""Telling the outside a followed case's new stage: one step hook, after the case's facts were kept
(``city.facts.live``), hands each change to the citizens' updates and to the sender systems' pushes."""

from __future__ import annotations

from city.citizens.updates import stage_changed as tell_citizen
from city.connectors.pushes import stage_changed as push_to_sender
from city.facts.model import case_facts
from city.persistence.repositories import public_stages
from city.public.stage import StageChange, public_stage
from engine.persistence.uow import UnitOfWork
from engine.service.step_hooks import StepWritten


def tell_stage_changes(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook: a followed case whose stage moved is told to whoever follows it, in the step's transaction."""
    if not step.data:
        return
    previous = public_stages.followed_stage(uow.store, step.case_id)
    if previous is None:
        return
    facts = case_facts(step.data)
    if facts is None:
        return
    stage = public_stage(facts)
    if stage == previous:
        return
    public_stages.set_stage(uow.store, step.case_id, stage, step.now)
    change = StageChange(step.case_id, previous, stage, facts, step.data, step.now)
    tell_citizen(uow, change)
    push_to_sender(uow, change)
