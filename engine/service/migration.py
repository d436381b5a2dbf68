"""Move a process's running cases to another of its versions, where that is safe.

Deploying never touches running cases; this does, on request. ``plan_migration`` checks every
running case of the process that is on another version (changing nothing). ``migrate_cases`` sends
one ``MigrateCase`` per safe case, each its own transaction: lock the case, check it again under the
lock, move the workflow (``engine.bpmn.migration``), advance it, write what changed, point the case at
the new version and append a ``case_migrated`` audit event. Unsafe cases are left as they are and
reported with the reasons. Each plan names the ready tasks whose form the new version changes
(``form_changes``): they take the new version's form, their data stays, the next completion is checked
against the new form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.bpmn.migration import check_migration, migrate, ready_human_views
from engine.bpmn.runner import WorkflowRunner
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import GridcaseError, InvalidCommand, NotFound
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.migrations import move_case_to_version, running_cases_off_version
from engine.persistence.repositories.versions import VersionRow, get_version, list_versions
from engine.service.bus import HandlerContext, MessageBus
from engine.service.deps import Deps
from engine.service.handlers import finish_command
from engine.service.migration_forms import form_changes
from engine.service.steps import load_runner, persist_step


@dataclass(frozen=True)
class CasePlan:
    """One running case and whether it can move (``migrated`` once it did)."""

    case_id: int
    case_no: str | None
    from_version: int
    to_version: int
    safe: bool
    reasons: tuple[str, ...] = ()
    migrated: bool = False
    form_changes: tuple[str, ...] = ()  # ready tasks whose form the new version changes (they take the new one)

    @property
    def outcome(self) -> str:
        """migrated, would migrate (a dry run or not yet run) or refused."""
        if self.migrated:
            return "migrated"
        return "would migrate" if self.safe else "refused"


def _target(store: CaseStore, process_id: str, number: int) -> VersionRow:
    versions = list_versions(store, process_id)
    if not versions:
        raise NotFound(f"no deployed process {process_id!r}", field="process_id")
    for version in versions:
        if version.number == number:
            return version
    raise NotFound(f"process {process_id!r} has no version {number} (newest: {versions[-1].number})",
                   field="to_version")


def plan_migration(deps: Deps, process_id: str, to_version_number: int) -> list[CasePlan]:
    """Every running case of ``process_id`` on another version than ``to_version_number``, checked."""
    return _plan(deps, process_id, to_version_number)[1]


def _plan(deps: Deps, process_id: str, to_version_number: int) -> tuple[VersionRow, list[CasePlan]]:
    plans = []
    with deps.uow(read_only=True) as uow:
        store = uow.store
        target = _target(store, process_id, to_version_number)
        new_loaded = deps.spec(uow, target.id)
        for case_id, version_id, number, case_no in running_cases_off_version(store, process_id, target.id):
            runner = WorkflowRunner.restore(deps.spec(uow, version_id), store.workflow_json(case_id),
                                            store.task_rows(case_id), depth_limit=deps.depth_limit,
                                            helpers=deps.script_helpers, limits=deps.script_limits)
            check = check_migration(runner.workflow, new_loaded)
            forms = tuple(form_changes(deps, store, runner.workflow, version_id, new_loaded))
            plans.append(CasePlan(case_id, case_no, number, target.number, check.safe, tuple(check.reasons),
                                  form_changes=forms))
    return target, plans


def migrate_cases(bus: MessageBus, process_id: str, to_version_number: int, actor: str,
                  dry_run: bool = False) -> list[CasePlan]:
    """Move every safe running case to the version, one ``MigrateCase`` each; ``dry_run`` only plans.

    Messages a moved case throws while advancing are delivered after its commit, as for any command.
    """
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidCommand("actor must be a non-empty string", field="actor")
    target, plans = _plan(bus.deps, process_id, to_version_number)
    if dry_run:
        return plans
    results = []
    for plan in plans:
        if not plan.safe:
            results.append(plan)
            continue
        try:
            moved: CaseMoved = bus.handle(c.MigrateCase(plan.case_id, target.id, actor))
        except GridcaseError as exc:  # e.g. a changed timer expression fails on this case: nothing written
            results.append(replace(plan, safe=False, reasons=(f"moving failed: {exc.message}",)))
            continue
        from_version = moved.from_version if moved.from_version is not None else plan.from_version
        results.append(replace(plan, from_version=from_version, safe=moved.migrated, reasons=moved.reasons,
                               migrated=moved.migrated))
    return results


@dataclass(frozen=True)
class CaseMoved:
    """What ``MigrateCase`` did: moved or not (with the reasons), and from which version number."""

    migrated: bool
    from_version: int | None
    reasons: tuple[str, ...] = ()


def migrate_case(cmd: c.MigrateCase, ctx: HandlerContext) -> CaseMoved:
    """Lock the case, check the move again under the lock, move and advance it, with a ``case_migrated`` event."""
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        case = uow.store.lock_case(cmd.case_id)
        if case.status != "running" or case.process_version_id == cmd.to_version_id:
            return CaseMoved(False, None, (f"the case is no longer running on another version (status {case.status})",))
        source, target = get_version(uow.store, case.process_version_id), get_version(uow.store, cmd.to_version_id)
        if source is None or target is None or source.process_id != target.process_id:
            raise NotFound(f"version {cmd.to_version_id} is not a version of the case's process", field="to_version")
        runner = load_runner(deps, uow, case)
        new_loaded = deps.spec(uow, target.id)
        check = check_migration(runner.workflow, new_loaded)  # the case may have moved on since the plan
        if not check.safe:
            deps.workflows.put(case.id, case.version, runner)  # unchanged: keep it hot
            return CaseMoved(False, source.number, tuple(check.reasons))
        migrate(runner, new_loaded, now)
        outcome = runner.advance(now)
        moved = replace(case, process_version_id=target.id)
        record = StepRecord(ev.CASE_MIGRATED, data={"from_version": source.number, "to_version": target.number})
        new_version = persist_step(uow, moved, outcome, cmd.actor, now, first=[record], command=ev.MIGRATE_CASE_COMMAND,
                                   actor_kind=cmd.actor_kind, hooks=ctx.deps.step_hooks)
        move_case_to_version(uow.store, case.id, target.id, ready_human_views(runner.workflow))
    finish_command(deps, ctx, case.id, new_version, runner, outcome)
    return CaseMoved(True, source.number)
