"""TransferToEnforcement (转执法): a live case's ``enforcement_case`` case, its ``enforcement_cases`` row and the
``enforcement_transferred`` event in the case's own chain, in one transaction."""

from __future__ import annotations

from typing import Any

from city.enforcement.commands import TransferToEnforcement
from city.enforcement.origin_log import append_origin_event
from city.persistence.read import enforcement_rows as reads
from city.persistence.repositories.enforcement import EnforcementStore
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotAllowed, NotFound
from engine.domain.input_limits import text_problem
from engine.domain.milestones import DISPOSED
from engine.domain.summary import may_be_case_no
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal
from engine.service.bulk_starts import finish_bulk, start_cases_in
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import check_text

ENFORCEMENT_PROCESS = "enforcement_case"
CENTRE_TRANSFERS = frozenset({"dispatcher", "shift_lead", "supervisor"})  # the centre's roles that transfer any case
MAX_REASON = 2000


def _checked_reason(cmd: TransferToEnforcement) -> str:
    """The command's text checked (a clear error naming the field); the reason, stripped."""
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.case_no, str) or not cmd.case_no.strip():
        raise InvalidCommand("case_no must be a case number", field="case_no")
    if not may_be_case_no(cmd.case_no.strip()):  # no case has such a number: not looked up (NUL, absurd lengths)
        raise NotFound(f"no case {cmd.case_no[:40]!r}", field="case_no")
    if not isinstance(cmd.reason, str) or not cmd.reason.strip():
        raise InvalidCommand("the reason for the transfer is needed (移送理由)", field="reason")
    problem = text_problem(cmd.reason)
    if len(cmd.reason) > MAX_REASON or problem is not None:
        raise InvalidCommand(problem or f"the reason is at most {MAX_REASON} characters", field="reason")
    return cmd.reason.strip()


def disposing_departments(uow: UnitOfWork, deps: Deps, case_id: int) -> set[str]:
    """The departments whose disposal task (处置, the lifecycle's ``disposed`` milestone) of the case is ready: they
    may transfer it."""
    return {str(task["candidate_group"]) for task in reads.ready_tasks(uow.store, case_id)
            if deps.spec(uow, task["process_version_id"]).milestones.get(task["bpmn_id"]) == DISPOSED
            and task["candidate_group"]}


def may_transfer(uow: UnitOfWork, deps: Deps, who: Principal | None, case_id: int) -> bool:
    """Whether ``who`` transfers the case: the centre's dispatchers, shift leads and supervisors, and a member of a
    department disposing of it (the command's rule and the case page's button alike)."""
    if who is None:
        return False
    return who.role in CENTRE_TRANSFERS or (
        who.role == "department_member" and who.department in disposing_departments(uow, deps, case_id))


def refuse_outsiders(uow: UnitOfWork, deps: Deps, actor: str, case_id: int) -> None:
    """Only the centre's dispatchers, shift leads and supervisors, and a member of a department disposing of the case,
    transfer it (NotAllowed: 403)."""
    found = uow.accounts.user(actor)
    if may_transfer(uow, deps, Principal(*found) if found is not None else None, case_id):
        return
    raise NotAllowed(f"{actor} may not transfer this case to enforcement (the centre's dispatchers, shift leads and"
                     " supervisors may, and the department disposing of it)")


def _locked_origin(uow: UnitOfWork, case_no: str) -> dict[str, Any]:
    """The case to transfer, read again once it is locked: two transfers of it at once are serialised and the second
    sees the first, and a close or void committed while the lock was awaited is what the checks see."""
    found = reads.origin_case(uow.store, case_no)
    if found is None:
        raise NotFound(f"no case {case_no}", field="case_no")
    uow.store.lock_case(int(found["case_id"]))
    origin = reads.origin_case(uow.store, case_no)
    if origin is None:  # the live facts cannot go away, but the lock is what makes the re-read count
        raise NotFound(f"no case {case_no}", field="case_no")
    return origin


def _refuse_when_over(uow: UnitOfWork, origin: dict[str, Any]) -> None:
    """A closed or voided case, or one with an enforcement case under way, is not transferred (409); ``origin`` is
    read under the case's lock (``_locked_origin``)."""
    if origin["result"] != "open" or origin["status"] != "running":
        raise ConcurrencyConflict(f"case {origin['case_no']} is {origin['result']}: only an open case is transferred"
                                  " to enforcement", field="case_no")
    running = reads.open_enforcement(uow.store, int(origin["case_id"]))
    if running is not None:
        raise ConcurrencyConflict(f"case {origin['case_no']} already has an enforcement case under way"
                                  f" (stage {running['stage']})", field="case_no")


def _start_data(origin: dict[str, Any], reason: str, actor: str) -> dict[str, Any]:
    keys = ("case_no", "case_id", "subtype", "lon", "lat", "district", "description")
    return {"origin": {k: origin[k] for k in keys}, "reason": reason, "transferred_by": actor}


def transfer_to_enforcement(cmd: TransferToEnforcement, ctx: HandlerContext) -> dict[str, Any]:
    """Check the transfer, start the enforcement case and write its row and the origin's event in one transaction:
    ``{enforcement_id, case_no, enforcement_case_no, team}``."""
    deps = ctx.deps
    now = deps.clock.now()
    reason = _checked_reason(cmd)
    case_no = cmd.case_no.strip()
    with deps.uow() as uow:
        origin = _locked_origin(uow, case_no)
        refuse_outsiders(uow, deps, cmd.actor, int(origin["case_id"]))
        _refuse_when_over(uow, origin)
        (started,) = start_cases_in(uow, deps, ENFORCEMENT_PROCESS, [_start_data(origin, reason, cmd.actor)],
                                    cmd.actor, now, actor_kind=cmd.actor_kind)
        team = str((started.outcome.case_data or {})["team"])
        enforcement_id = uow.repository(EnforcementStore).insert_case({
            "case_id": started.case_id, "origin_case_id": origin["case_id"], "team": team, "stage": "filing",
            "subtype_code": origin["subtype"], "district_code": origin["district"], "lon": origin["lon"],
            "lat": origin["lat"], "summary": reason, "transferred_by": cmd.actor, "transferred_at": now,
            "updated_at": now})
        append_origin_event(uow, int(origin["case_id"]), ev.ENFORCEMENT_TRANSFERRED, {
            "enforcement_case": started.case_no, "reason": reason, "team": team}, cmd.actor, now, cmd.actor_kind)
    finish_bulk(deps, ctx, [started])
    return {"enforcement_id": enforcement_id, "case_no": case_no, "enforcement_case_no": started.case_no,
            "team": team}
