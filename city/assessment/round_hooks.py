"""The ``assessment_round`` model's script helpers and step hooks (考评轮次):

- ``assessment_round_plan(scheme, now)``: the round's period and times and whether it is needed (the period's
  round exists, the scheme has no active object, no checklist) — ``city.assessment.round_plan``;
- ``assessment_round_groups(scheme, period[, state])``: the distinct task groups of the round's inspections (those
  in ``state`` only: the warning tells the groups with open inspections);
- ``open_round``: the round case's first step, with ``round_state`` "opening", writes the round's row and one open
  inspection row per active object, and starts one ``assessment_inspection`` case per row in the same
  transaction (``engine.service.bulk_starts``; the teams are told once by the round, not once per case);
- ``close_round``: the round case's end with ``round_state`` "closed" closes its row.

The helpers are kept (their answers recorded with the step, so a replay gets the same) and read in the running
step's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from city.assessment.round_payload import inspection_payload
from city.assessment.round_plan import SCHEMES, round_plan
from city.persistence.read import assessment_rounds as round_reads
from city.persistence.read.assessment_registry import active_objects, newest_checklist
from city.persistence.repositories.assessment_rounds import AssessmentRoundStore
from engine.bpmn.environment import kept
from engine.domain import events as ev
from engine.persistence.uow import UnitOfWork
from engine.service.bulk_starts import start_cases_in
from engine.service.bus import MessageBus
from engine.service.deps import Deps
from engine.service.step_hooks import StepWritten
from engine.service.step_reads import step_store

ROUND_PROCESS = "assessment_round"
INSPECTION_PROCESS = "assessment_inspection"
OPENING, CLOSED = "opening", "closed"  # the model's round_state values the hooks act on


def plan_helper(open_uow: Callable[..., UnitOfWork]) -> Callable[..., dict[str, Any]]:
    """The kept ``assessment_round_plan(scheme, now)`` (``now``: ``now_iso()``)."""

    def assessment_round_plan(scheme: Any, now: Any) -> dict[str, Any]:
        """The round of ``scheme`` for the period holding ``now``: see ``city.assessment.round_plan``."""
        if scheme not in SCHEMES or not isinstance(now, str):
            raise ValueError("assessment_round_plan() needs the scheme (garbage_sorting or property) and now_iso()")
        with step_store(open_uow) as store:
            return round_plan(store, str(scheme), datetime.fromisoformat(now))

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


def round_opener(deps: Deps) -> Callable[[UnitOfWork, StepWritten], None]:
    """The step hook opening a round (see the module's docstring)."""

    def open_round(uow: UnitOfWork, step: StepWritten) -> None:
        """The round's row, its inspections' rows and cases, in the round case's first step."""
        plan = _round_step(step, OPENING, ev.CASE_STARTED)
        if plan is None:
            return
        scheme = str(plan["scheme"])
        checklist = newest_checklist(uow.store, scheme)
        objects = active_objects(uow.store, scheme)
        if checklist is None or not objects:
            return  # the plan, read in this very transaction, said otherwise: a case started by hand with data
        due_at = datetime.fromisoformat(str(plan["due_at"]))
        repo = uow.repository(AssessmentRoundStore)
        round_id = repo.insert_round({
            "scheme": scheme, "period": plan["period"], "case_id": step.case_id, "checklist_id": checklist["id"],
            "starts_at": datetime.fromisoformat(str(plan["starts_at"])), "due_at": due_at,
            "object_count": len(objects), "started_by": str(step.data.get("requested_by") or step.actor)}, step.now)
        ids = repo.insert_inspections(round_id, objects, due_at)
        round_row = {"id": round_id, "scheme": scheme, "period": plan["period"], "starts_at": plan["starts_at"],
                     "due_at": plan["due_at"], "warn_at": plan["warn_at"]}
        payloads = [inspection_payload(o, round_row, checklist["items"], i) for o, i in zip(objects, ids, strict=True)]
        start_cases_in(uow, deps, INSPECTION_PROCESS, payloads, step.actor, step.now, notify=False, numbers=False)

    return open_round


def close_round(uow: UnitOfWork, step: StepWritten) -> None:
    """The step hook closing a round's row when its case ends with ``round_state`` "closed"."""
    if _round_step(step, CLOSED, ev.CASE_COMPLETED) is not None:
        uow.repository(AssessmentRoundStore).close_round(step.case_id, step.now)


def install(bus: MessageBus) -> None:
    """Add the rounds' script helpers and step hooks to ``bus``."""
    bus.deps.script_helpers["assessment_round_plan"] = plan_helper(bus.deps.uow)
    bus.deps.script_helpers["assessment_round_groups"] = groups_helper(bus.deps.uow)
    bus.deps.step_hooks.extend([round_opener(bus.deps), close_round])
