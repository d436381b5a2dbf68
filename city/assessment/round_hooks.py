"""The ``assessment_round`` model's script helpers and step hooks (考评轮次):

- ``assessment_round_plan(scheme, now)``: the round's period and times and whether it is needed (the period's
  round exists, the scheme has no active object, no checklist) — ``city.assessment.round_plan``;
- ``assessment_round_groups(scheme, period[, state])``: the distinct task groups of the round's inspections (those
  in ``state`` only: the warning tells the groups with open inspections);
- ``open_round``: the round case's first step, with ``round_state`` "opening", writes the round's row and one open
  inspection row per active object whose kind has a checklist item — cheap rows only: the ``assessment_inspection``
  cases are started afterwards in chunks of their own transactions (``city.assessment.round_starts``), the last
  chunk telling the round (``round_inspections_started``), which then tells its teams once;
- ``close_round``: the round case's end with ``round_state`` "closed" closes its row.

The helpers are kept (their answers recorded with the step, so a replay gets the same) and read in the running
step's transaction."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from city.assessment.round_payload import objects_with_items
from city.assessment.round_plan import round_plan
from city.persistence.read import assessment_rounds as round_reads
from city.persistence.read.assessment_registry import active_objects, newest_checklist
from city.persistence.repositories.assessment_rounds import AssessmentRoundStore
from engine.bpmn.environment import kept
from engine.domain import events as ev
from engine.persistence.assessment_records import SCHEMES
from engine.persistence.uow import UnitOfWork
from engine.service.bus import MessageBus
from engine.service.step_hooks import StepWritten
from engine.service.step_reads import step_store

ROUND_PROCESS = "assessment_round"
INSPECTION_PROCESS = "assessment_inspection"
OPENING, CLOSED = "opening", "closed"  # the model's round_state values the hooks act on
# The round model's message once every inspection case is started (internal: only StartRoundInspections sends it;
# it correlates on the plan's ``key``, which only the round's own case knows).
STARTED_MESSAGE = "round_inspections_started"
log = logging.getLogger(__name__)


def plan_helper(open_uow: Callable[..., UnitOfWork]) -> Callable[..., dict[str, Any]]:
    """The kept ``assessment_round_plan(scheme, now)`` (``now``: ``now_iso()``): the plan and a fresh ``key``."""

    def assessment_round_plan(scheme: Any, now: Any) -> dict[str, Any]:
        """The round of ``scheme`` for the period holding ``now``: see ``city.assessment.round_plan``."""
        if scheme not in SCHEMES or not isinstance(now, str):
            raise ValueError("assessment_round_plan() needs the scheme (garbage_sorting or property) and now_iso()")
        with step_store(open_uow) as store:
            plan = round_plan(store, str(scheme), datetime.fromisoformat(now))
        return {**plan, "key": secrets.token_hex(16)}  # kept with the step: a replay gets the same key

    return kept("assessment_round_plan", assessment_round_plan)


def groups_helper(open_uow: Callable[..., UnitOfWork]) -> Callable[..., list[str]]:
    """The kept ``assessment_round_groups(scheme, period[, state])``."""

    def assessment_round_groups(scheme: Any, period: Any, state: Any = None) -> list[str]:
        """The distinct task groups of the round's inspections (in ``state`` only, when given)."""
        if not isinstance(scheme, str) or not isinstance(period, str) or not isinstance(state, str | None):
            raise ValueError("assessment_round_groups() needs the scheme, the period and optionally a state")
        with step_store(open_uow) as store:
            return round_reads.round_groups(store, scheme, period, state)

    return kept("assessment_round_groups", assessment_round_groups)


def _round_step(step: StepWritten, state: str, event_type: str) -> dict[str, Any] | None:
    """The round plan of a round case's step that set ``round_state`` to ``state`` and recorded ``event_type``."""
    data = step.data
    if not data or data.get("round_state") != state or not isinstance(data.get("round"), dict):
        return None
    if not any(r.event_type == event_type for r in step.records):
        return None
    plan: dict[str, Any] = data["round"]
    return plan if plan.get("scheme") in SCHEMES and isinstance(plan.get("period"), str) else None


def _is_round_start(step: StepWritten) -> bool:
    """The step started an ``assessment_round`` case (its case_started record names the process: a case of any
    other process whose data looks like a round's opens nothing)."""
    return any(r.event_type == ev.CASE_STARTED and r.data.get("process_id") == ROUND_PROCESS for r in step.records)


def open_round(uow: UnitOfWork, step: StepWritten) -> None:
    """The round's row and its inspections' rows (no case yet: ``StartRoundInspections`` starts them in chunks
    of their own transactions), in the round case's first step. Objects whose kind has no item in the checklist
    are left out (logged); a round of the period already there makes nothing."""
    plan = _round_step(step, OPENING, ev.CASE_STARTED)
    if plan is None or not _is_round_start(step):
        return
    scheme, period = str(plan["scheme"]), str(plan["period"])
    checklist = newest_checklist(uow.store, scheme)
    if checklist is None or round_reads.round_for_period(uow.store, scheme, period) is not None:
        log.warning("assessment round %s %s of case %s not opened: no checklist or opened already", scheme, period,
                    step.case_id)
        return
    objects, left_out = objects_with_items(active_objects(uow.store, scheme), checklist["items"])
    if left_out:
        log.warning("assessment round %s %s leaves out %d objects whose kind has no checklist item: %s", scheme,
                    period, len(left_out), ", ".join(sorted({str(o["kind"]) for o in left_out})))
    if not objects:
        return  # the plan, read in this very transaction, said otherwise: a case started by hand with data
    due_at = datetime.fromisoformat(str(plan["due_at"]))
    repo = uow.repository(AssessmentRoundStore)
    round_id = repo.insert_round({
        "scheme": scheme, "period": period, "case_id": step.case_id, "checklist_id": checklist["id"],
        "starts_at": datetime.fromisoformat(str(plan["starts_at"])), "due_at": due_at,
        "object_count": len(objects), "started_by": str(step.data.get("requested_by") or step.actor)}, step.now)
    repo.insert_inspections(round_id, objects, due_at)


def close_round(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook closing a round's row when its case ends with ``round_state`` "closed"."""
    if _round_step(step, CLOSED, ev.CASE_COMPLETED) is not None:
        uow.repository(AssessmentRoundStore).close_round(step.case_id, step.now)


def install(bus: MessageBus) -> None:
    """Add the rounds' script helpers and step hooks to ``bus``."""
    bus.deps.script_helpers["assessment_round_plan"] = plan_helper(bus.deps.uow)
    bus.deps.script_helpers["assessment_round_groups"] = groups_helper(bus.deps.uow)
    bus.deps.step_hooks.extend([open_round, close_round])
    bus.deps.internal_messages.add(STARTED_MESSAGE)
