"""Move a process's running cases to another of its versions, where that is safe.

Deploying never touches running cases; this does, on request. ``plan_migration`` checks every
running case of the process that is on another version (changing nothing). ``migrate_cases`` moves
each safe case in its own unit of work: lock the case, check it again under the lock, move the
workflow (``engine.bpmn.migration``), advance it, write what changed, point the case at the new
version and append a ``case_migrated`` audit event — one commit per case. Unsafe cases are left as
they are and reported with the reasons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from engine.bpmn.migration import check_migration, migrate, ready_human_views
from engine.bpmn.runner import WorkflowRunner
from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import GridcaseError, InvalidCommand, NotFound
from engine.domain.views import StepRecord
from engine.persistence.migration_store import move_case_to_version, running_cases_off_version
from engine.persistence.store import CaseStore
from engine.persistence.versions import VersionRow, get_version, list_versions
from engine.service.deps import Deps
from engine.service.steps import load_runner, persist_step, verify_stored_state

log = logging.getLogger(__name__)


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
                                            helpers=deps.script_helpers)
            check = check_migration(runner.workflow, new_loaded)
            plans.append(CasePlan(case_id, case_no, number, target.number, check.safe, tuple(check.reasons)))
    return target, plans


def migrate_cases(deps: Deps, process_id: str, to_version_number: int, actor: str, dry_run: bool = False,
                  deliver: Callable[[c.Command], Any] | None = None) -> list[CasePlan]:
    """Move every safe running case to the version; ``dry_run`` only plans.

    ``deliver`` (e.g. ``bus.handle``) delivers messages a moved case threw while advancing; without it
    they wait in the outbox for the scheduler's retry.
    """
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidCommand("actor must be a non-empty string", field="actor")
    target, plans = _plan(deps, process_id, to_version_number)
    if dry_run:
        return plans
    results = []
    for plan in plans:
        if not plan.safe:
            results.append(plan)
            continue
        try:
            results.append(_migrate_case(deps, plan, target, actor, deliver))
        except GridcaseError as exc:  # e.g. a changed timer expression fails on this case: nothing written
            results.append(replace(plan, safe=False, reasons=(f"moving failed: {exc.message}",)))
    return results


def _migrate_case(deps: Deps, plan: CasePlan, target: VersionRow, actor: str,
                  deliver: Callable[[c.Command], Any] | None) -> CasePlan:
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        case = store.lock_case(plan.case_id)
        if case.status != "running" or case.process_version_id == target.id:
            return replace(plan, safe=False, reasons=(f"the case is no longer running on another version "
                                                      f"(status {case.status})",))
        source = get_version(store, case.process_version_id)
        from_number = source.number if source is not None else plan.from_version
        runner = load_runner(deps, uow, case)
        new_loaded = deps.spec(uow, target.id)
        check = check_migration(runner.workflow, new_loaded)  # the case may have moved on since the plan
        if not check.safe:
            deps.workflows.put(case.id, case.version, runner)  # unchanged: keep it hot
            return replace(plan, from_version=from_number, safe=False, reasons=tuple(check.reasons))
        migrate(runner, new_loaded, now)
        outcome = runner.advance(now)
        moved = replace(case, process_version_id=target.id)
        record = StepRecord(ev.CASE_MIGRATED, data={"from_version": from_number, "to_version": target.number})
        new_version = persist_step(uow, moved, outcome, actor, now, first=[record], command=ev.MIGRATE_CASE_COMMAND)
        move_case_to_version(store, case.id, target.id, ready_human_views(runner.workflow))
        uow.commit()
    deps.workflows.put(case.id, new_version, runner)
    if deps.verify_state:
        verify_stored_state(deps, case.id, runner)
    for outbox_id in outcome.outbox_ids if deliver is not None else ():
        try:
            deliver(c.DeliverOutbox(outbox_id))
        except GridcaseError as exc:  # committed already; the scheduler retries the outbox
            log.warning("delivering outbox message %s of migrated case %s failed: %s", outbox_id, case.id, exc)
    return replace(plan, from_version=from_number, safe=True, reasons=(), migrated=True)

