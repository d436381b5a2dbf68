"""VoidAsDuplicate: complete the 立案 task with decision void, reason duplicate, and link both cases — one unit of
work, so a refused or failed step leaves neither the voiding nor the links.

The step is the same ``complete_task`` step ``CompleteHumanTask`` writes (same form check, same claim, same audit
events), so the voided case replays like any other; its filing note names the original case.
"""

from __future__ import annotations

from typing import Any

from city.duplicates.commands import VoidAsDuplicate
from city.duplicates.linking import link_duplicate
from city.persistence.read import duplicates as reads
from engine.bpmn.projection import human_task_view
from engine.domain import events as ev
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand, NotFound
from engine.domain.milestones import FILED
from engine.domain.summary import case_id_from_no
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, check_text, finish_command, ready_ids
from engine.service.steps import load_runner, persist_step
from engine.service.task_forms import check_form, known_form

NOTE_LIMIT = 1800  # the filing form's note holds 2000 characters, the original's number goes in front


def _case_id(number: str, field: str) -> int:
    case_id = case_id_from_no(number) if isinstance(number, str) else None
    if case_id is None:
        raise NotFound(f"no live case {str(number)[:40]!r}", field=field)
    return case_id


def _filing_task(deps: Deps, uow: UnitOfWork, case_id: int, task_id: str | None) -> str:
    """The case's ready 立案 task: ``task_id`` if it is one, else the one whose milestone is ``filed``."""
    ready = reads.ready_tasks(uow.store, case_id)
    filing = [t for t in ready if deps.spec(uow, t["process_version_id"]).milestones.get(t["bpmn_id"]) == FILED]
    if task_id is not None:
        if task_id not in {t["id"] for t in filing}:
            raise ConcurrencyConflict(f"task {task_id} is not the ready 立案 (filing) task of this case")
        return task_id
    if not filing:
        raise ConcurrencyConflict("the case has no ready 立案 (filing) task: it was filed or voided already, or has"
                                  " not reached 立案")
    return str(filing[0]["id"])


def _lock_both(uow: UnitOfWork, cmd: VoidAsDuplicate, case_id: int, original_id: int) -> dict[int, CaseRow]:
    """Lock both cases' rows in id order: two voids crossing each other (A into B, B into A) wait for each other
    instead of deadlocking, and the second then finds its original voided."""
    rows = {}
    for locked in sorted((case_id, original_id)):
        try:
            rows[locked] = uow.store.lock_case(locked)
        except NotFound:
            field = "duplicate_of" if locked == original_id else "case_no"
            raise NotFound(f"no case {cmd.duplicate_of if locked == original_id else cmd.case_no}",
                           field=field) from None
    return rows


def _check_original(uow: UnitOfWork, cmd: VoidAsDuplicate, case_id: int, original_id: int) -> dict[str, Any]:
    """The original case as the seat operator may link to it: open, of the same subtype unless
    ``allow_other_subtype``; a voided duplicate points to its own original."""
    store = uow.store
    original, this = reads.fact_state(store, original_id), reads.fact_state(store, case_id)
    for found, number, field in ((this, cmd.case_no, "case_no"), (original, cmd.duplicate_of, "duplicate_of")):
        if found is None or found["case_no"] != number:  # the id inside the number is not enough: the date too
            raise NotFound(f"no case {str(number)[:40]}", field=field)
    assert original is not None and this is not None
    if original["result"] != "open":
        first = reads.original_of(store, original_id)
        if first is not None:
            first_no = reads.case_no_of(store, first)
            raise InvalidCommand(f"case {cmd.duplicate_of} is itself a duplicate of case {first_no}: link to"
                                 f" {first_no}",
                                 field="duplicate_of")
        raise InvalidCommand(f"case {cmd.duplicate_of} is {original['result']}: only an open case can be the"
                             " original", field="duplicate_of")
    if original["subtype"] != this["subtype"] and not cmd.allow_other_subtype:
        raise InvalidCommand(f"case {cmd.duplicate_of} is of subtype {original['subtype']}, this report of"
                             f" {this['subtype']}: set allow_other_subtype to link them anyway",
                             field="allow_other_subtype")
    return original


def _already_voided_into(uow: UnitOfWork, cmd: VoidAsDuplicate, case: CaseRow, original_id: int) -> CaseRef | None:
    """A repeated request (a double click): the case is voided as a duplicate of this very original already — the
    earlier result, and nothing written."""
    this = reads.fact_state(uow.store, case.id)
    if this is None or this["case_no"] != cmd.case_no or reads.original_of(uow.store, case.id) != original_id:
        return None
    if reads.case_no_of(uow.store, original_id) != cmd.duplicate_of:
        return None
    return CaseRef(case.id, case.version, case_no=cmd.case_no, occurred_at=None)


def void_as_duplicate(cmd: VoidAsDuplicate, ctx: HandlerContext) -> CaseRef:
    """Complete the 立案 task as void/duplicate (claiming it if free) and link both cases, in one transaction."""
    deps: Deps = ctx.deps
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.note, str) or len(cmd.note) > NOTE_LIMIT:
        raise InvalidCommand(f"note must be text of at most {NOTE_LIMIT} characters", field="note")
    case_id, original_id = _case_id(cmd.case_no, "case_no"), _case_id(cmd.duplicate_of, "duplicate_of")
    if original_id == case_id:
        raise InvalidCommand("a case cannot be a duplicate of itself", field="duplicate_of")
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        locked = _lock_both(uow, cmd, case_id, original_id)
        repeated = _already_voided_into(uow, cmd, locked[case_id], original_id)
        if repeated is not None:
            return repeated
        task_id = _filing_task(deps, uow, case_id, cmd.task_id)
        case, state, assignee = store.lock_task_case(task_id, cmd.expected_version)
        if state != "ready":
            raise ConcurrencyConflict(f"task {task_id} is already {state}")
        if assignee is not None and assignee != cmd.actor:
            raise ConcurrencyConflict(f"task {task_id} is claimed by {assignee}")
        original = _check_original(uow, cmd, case_id, original_id)
        note = f"重复于 / duplicate of {original['case_no']}" + (f"：{cmd.note.strip()}" if cmd.note.strip() else "")
        data = {"filing": {"decision": "void", "void_reason": "duplicate", "note": note}}
        runner = load_runner(deps, uow, case)
        view = human_task_view(runner.human_task(task_id), "ready")
        try:
            check_form(store, known_form(deps.forms, store, case.process_version_id, view.form), data, case.id)
        except GridcaseError:
            deps.workflows.put(case.id, case.version, runner)  # untouched: keep it hot
            raise
        # linked first, through the code the step hook uses: the hook then finds the link and adds none
        link_duplicate(uow, case_id, cmd.case_no, locked[original_id], cmd.actor, now, cmd.note.strip() or None,
                       cmd.actor_kind)
        runner.complete(task_id, data, now)
        outcome = runner.advance(now)
        new_version = persist_step(uow, case, outcome, cmd.actor, now, command=ev.COMPLETE_TASK_COMMAND,
                                   actor_kind=cmd.actor_kind, claimed=task_id if assignee is None else None,
                                   hooks=deps.step_hooks)
    finish_command(deps, ctx, case.id, new_version, runner, outcome)
    return CaseRef(case.id, new_version, ready_tasks=ready_ids(outcome), case_no=cmd.case_no, occurred_at=now)
