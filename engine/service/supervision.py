"""Supervisor controls (engine.domain.supervision_commands): reassign or force-release a claimed task.

Neither changes workflow state: like a claim, each writes the task's holder and one audit event in one
transaction, and replay (``engine.service.audit.run_supervision``) checks the event against the holder it knows.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from engine.domain import events as ev
from engine.domain.errors import InvalidCommand
from engine.domain.input_limits import text_problem
from engine.domain.summary import light
from engine.domain.supervision_commands import ForceReleaseTask, ReassignTask
from engine.domain.views import StepRecord
from engine.persistence.read.admin import disabled
from engine.persistence.read.supervision import supervisions_of
from engine.persistence.read.tasks import TASK_COLUMNS, task_by_id
from engine.persistence.uow import UnitOfWork
from engine.service.accounts import Principal, list_users
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, _lock_ready_task, check_text
from engine.service.step_hooks import run_step_hooks
from engine.service.steps import chain_events

REASON_LIMIT = 500
USERNAME_LIMIT = 64
_GROUP = TASK_COLUMNS.index("candidate_group")


def _check_reason(reason: object) -> str:
    """The reason, stripped; a supervisor's action always says why (field ``reason``)."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidCommand("a reason is required (说明原因)", field="reason")
    if len(reason) > REASON_LIMIT:
        raise InvalidCommand(f"the reason may have at most {REASON_LIMIT} characters", field="reason")
    problem = text_problem(reason)
    if problem is not None:
        raise InvalidCommand(f"reason {problem}", field="reason")
    return reason.strip()


def may_work(uow: UnitOfWork, username: str, group: str | None) -> bool:
    """True when ``username`` is an account that claims tasks of the candidate group ``group``."""
    found = uow.accounts.user(username)
    if found is None or group is None or not uow.accounts.is_enabled(username):  # a disabled user works nothing
        return False
    person = Principal(*found)
    return person.acts_on_tasks and group in person.groups


def _change_holder(deps: Deps, cmd: ReassignTask | ForceReleaseTask, to: str | None, reason: str) -> CaseRef:
    """Lock the task's case, check it is held (and that ``to`` may work it), write the holder and the event."""
    with deps.uow() as uow:
        case, new_version = change_holder_in(uow, deps, cmd, to, reason)
    runner = deps.workflows.take(case.id, case.version)  # the holder is no workflow state
    if runner is not None:
        deps.workflows.put(case.id, new_version, runner)
    return CaseRef(case.id, new_version)


def change_holder_in(uow: UnitOfWork, deps: Deps, cmd: ReassignTask | ForceReleaseTask, to: str | None,
                     reason: str) -> tuple[Any, int]:
    """``_change_holder``'s writes inside the caller's unit of work (``DisableUser`` releases its user's tasks
    so): the case as locked and its new version. The caller moves the cached runner on after the commit."""
    now = deps.clock.now()
    store = uow.store
    case, holder = _lock_ready_task(store, cmd.task_id, cmd.expected_version)
    if holder is None:
        raise InvalidCommand(f"task {cmd.task_id} is not claimed: nobody holds it", field="task_id")
    data = {"task": cmd.task_id, "from": holder, "reason": reason}
    if to is not None:
        row = task_by_id(store, cmd.task_id)
        group = None if row is None else row[_GROUP]
        if to == holder:
            raise InvalidCommand(f"{to} already holds the task", field="to")
        if not may_work(uow, to, group):
            raise InvalidCommand(f"{to} does not work the group {group} of the task", field="to")
        data = {"task": cmd.task_id, "from": holder, "to": to, "reason": reason}
    store.set_assignee(cmd.task_id, to, now if to is not None else None)
    kind, command = ((ev.TASK_REASSIGNED, ev.REASSIGN_TASK_COMMAND) if to is not None
                     else (ev.TASK_FORCE_RELEASED, ev.FORCE_RELEASE_TASK_COMMAND))
    record = StepRecord(kind, cmd.task_id, data=data)
    events = chain_events(case, [record], cmd.actor, now, command=command, actor_kind=cmd.actor_kind)
    store.append_events(case.id, case.process_version_id, events)
    # The step hooks see the event (the notification hook tells the new holder); a holder change changes no
    # case data, so they get none (the city's facts hook keeps nothing from it).
    run_step_hooks(uow, deps.step_hooks, case.id, [record], cmd.actor, now)
    new_version = store.finish_case(case, workflow_json=None, status=case.status, now=now, events=events)
    return case, new_version


def reassign_task(cmd: ReassignTask, ctx: HandlerContext) -> CaseRef:
    """改派: give a claimed task to another account of its candidate group (field ``to``), with a reason."""
    check_text(cmd.actor, "actor")
    if not isinstance(cmd.to, str) or not cmd.to.strip() or len(cmd.to) > USERNAME_LIMIT or text_problem(cmd.to):
        raise InvalidCommand("say whom the task goes to: a username (改派给谁)", field="to")
    return _change_holder(ctx.deps, cmd, cmd.to.strip(), _check_reason(cmd.reason))


def force_release_task(cmd: ForceReleaseTask, ctx: HandlerContext) -> CaseRef:
    """强制释放: put a claimed task back in its group's queue, whoever holds it, with a reason."""
    check_text(cmd.actor, "actor")
    return _change_holder(ctx.deps, cmd, None, _check_reason(cmd.reason))


def eligible_accounts(deps: Deps, group: str | None, holder: str | None = None) -> list[Principal]:
    """The accounts a task of candidate ``group`` may be reassigned to (those working the group), its holder left
    out: what the 改派 picker offers, by the same rule the command checks."""
    if group is None:
        return []
    with deps.uow(read_only=True) as uow:
        off = disabled(uow.store, "user")
    return [p for p in list_users(deps) if p.acts_on_tasks and group in p.groups and p.username != holder
            and p.username not in off]


def case_supervisions(deps: Deps, case_no: str) -> list[dict[str, Any]]:
    """The 督办 of a case for its page: number, status, open steps, issuer, department, instruction, the answer's
    deadline and its light (green, yellow from the 80 % warning, red when overdue; none once answered)."""
    with deps.uow(read_only=True) as uow:
        rows = supervisions_of(uow.store, case_no)
    now = deps.clock.now()
    return [{**asdict(r), "light": light(r.due_at, r.warn_at, now, open_=r.status == "running")} for r in rows]
