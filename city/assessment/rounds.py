"""StartAssessmentRound (手动开始考评): a scheme's round for the current period started now by a shift lead,
supervisor or admin — the ``assessment_round`` case, whose first step opens the round and writes its inspections'
rows (the step hook ``open_round``), in one short transaction; the inspection cases are started afterwards in
chunks (``city.assessment.round_starts``: the scheduler, or ``gridcase assessment round start``). The model's
timers start the same rounds on their own each month (garbage sorting) and quarter (property)."""

from __future__ import annotations

from typing import Any

from city.assessment.commands import StartAssessmentRound
from city.assessment.round_hooks import ROUND_PROCESS
from city.assessment.round_plan import NOT_NEEDED_EXISTS, NOT_NEEDED_NO_CHECKLIST, round_plan
from city.persistence.read import assessment_rounds as round_reads
from engine.domain.commands import Command
from engine.domain.errors import ConcurrencyConflict, NotAllowed
from engine.domain.forms import FieldsRejected
from engine.persistence.assessment_records import SCHEMES
from engine.persistence.db import is_unique_violation
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bulk_starts import finish_bulk, start_cases_in
from engine.service.bus import Handler, HandlerContext
from engine.service.handlers import check_text

RUNNERS = ("shift_lead", "supervisor", "admin")  # web.policy's RUN_ASSESSMENT_ROUNDS
REFUSED = "the assessment round command has invalid fields"


def _refuse_non_runners(uow: UnitOfWork, actor: str) -> None:
    """Only shift leads, supervisors and admins start a round by hand (NotAllowed: 403)."""
    found = uow.accounts.user(actor)
    if found is None or Principal(*found).role not in RUNNERS:
        raise NotAllowed(f"{actor} may not start an assessment round (shift leads, supervisors and admins may)")


def _refuse_not_needed(plan: dict[str, Any]) -> None:
    """409 when the period's round exists, 422 naming ``scheme`` when it has no checklist or no active object."""
    reason = plan["not_needed_reason"]
    if reason == NOT_NEEDED_EXISTS:
        raise ConcurrencyConflict(f"the {plan['scheme']} round of {plan['period']} was started already",
                                  field="scheme")
    if reason == NOT_NEEDED_NO_CHECKLIST:
        raise FieldsRejected({"scheme": f"no {plan['scheme']} checklist is loaded (考评细则未导入)"}, REFUSED)
    if reason is not None:
        raise FieldsRejected({"scheme": f"the {plan['scheme']} scheme has no active object (无在册考评对象)"}, REFUSED)


def start_assessment_round(cmd: StartAssessmentRound, ctx: HandlerContext) -> dict[str, Any]:
    """Check and open the round (403 / 422 ``scheme`` / 409 ``scheme``, nothing written then): ``{round_id,
    case_id, case_no, period, objects, pending}`` — returned as soon as the round and its inspection rows are
    written; ``pending`` inspection cases are started afterwards, chunk by chunk (``StartRoundInspections``)."""
    deps = ctx.deps
    now = deps.clock.now()
    check_text(cmd.actor, "actor")
    if cmd.scheme not in SCHEMES:
        raise FieldsRejected({"scheme": f"unknown scheme {cmd.scheme!r} (garbage_sorting or property)"}, REFUSED)
    try:
        with deps.uow() as uow:
            _refuse_non_runners(uow, cmd.actor)
            _refuse_not_needed(round_plan(uow.store, cmd.scheme, now))
            (started,) = start_cases_in(uow, deps, ROUND_PROCESS, [{"scheme": cmd.scheme,
                                                                    "requested_by": cmd.actor}],
                                        cmd.actor, now, actor_kind=cmd.actor_kind)
            opened = round_reads.round_by_case(uow.store, started.case_id)
            if opened is None:  # the model planned otherwise than the check above, in the same transaction
                raise ConcurrencyConflict(f"the {cmd.scheme} round was not opened; try again", field="scheme")
            pending = round_reads.pending_count(uow.store, int(opened["id"]))
    except Exception as exc:
        if is_unique_violation(exc):  # PostgreSQL: another start of the period's round committed first
            raise ConcurrencyConflict(f"the {cmd.scheme} round of the period was started already",
                                      field="scheme") from exc
        raise
    finish_bulk(deps, ctx, [started])
    return {"round_id": opened["id"], "case_id": started.case_id, "case_no": started.case_no,
            "period": opened["period"], "objects": opened["object_count"], "pending": pending}


HANDLERS: dict[type[Command], Handler] = {StartAssessmentRound: start_assessment_round}
