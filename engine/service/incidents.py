"""Incidents: a job out of retries or a failed timer, until an operator retries or resolves it.

``RetryIncident`` gives a job its retries back (fetchable at once) or makes a failed timer pending again (the
scheduler fires it at its next tick: its due time has passed); ``ResolveIncident`` closes it with a note and changes
nothing else (the job stays an incident, the timer failed: the case goes on only by another path). Each writes one
event into the case's chain (``incident_retried``, ``incident_resolved``), which replay checks and re-runs nothing for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain import events as ev
from engine.domain import jobs as j
from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.domain.views import StepRecord
from engine.persistence.read import jobs as job_reads
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.repositories.jobs import IncidentRow, JobStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import check_text
from engine.service.jobs import append_step, check_message, keep_hot


def open_incidents(deps: Deps, *, include_resolved: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Incidents newest first: the open ones, or all."""
    with deps.uow(read_only=True) as uow:
        return job_reads.incidents(uow.store, open_only=not include_resolved, limit=limit)


def incident_by_id(deps: Deps, incident_id: int) -> dict[str, Any] | None:
    """One incident, or None."""
    with deps.uow(read_only=True) as uow:
        return job_reads.incident(uow.store, incident_id)


def job_by_id(deps: Deps, job_id: int) -> dict[str, Any] | None:
    """One job's row, or None."""
    with deps.uow(read_only=True) as uow:
        return job_reads.job(uow.store, job_id)


def _lock_open_incident(uow: UnitOfWork, incident_id: int) -> tuple[CaseRow, IncidentRow]:
    jobs = uow.repository(JobStore)
    case_id = jobs.incident_case(incident_id)
    if case_id is None:
        raise NotFound(f"incident {incident_id} not found", field="incident_id")
    case = uow.store.lock_case(case_id)
    incident = jobs.lock_incident(incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found", field="incident_id")
    if incident.resolved_at is not None:
        raise ConcurrencyConflict(f"incident {incident_id} was already resolved")
    return case, incident


def retry_incident(cmd: j.RetryIncident, ctx: HandlerContext) -> datetime:
    """Retry what failed: the job is fetchable again with ``retries``, the timer fires again; returns when."""
    deps: Deps = ctx.deps
    check_text(cmd.actor, "actor")
    note = check_message(cmd.note, "note")
    now = deps.clock.now()
    with deps.uow() as uow:
        case, incident = _lock_open_incident(uow, cmd.incident_id)
        jobs = uow.repository(JobStore)
        data: dict[str, Any] = {"incident": incident.id, "kind": incident.kind, "note": note}
        if incident.kind == j.JOB_KIND and incident.job_id is not None:
            retries = j.check_count(cmd.retries, "retries", 1, j.MAX_RETRIES)
            jobs.reopen_job(incident.job_id, retries)
            data["retries"] = retries
        elif incident.timer_id is not None and not jobs.rearm_timer(incident.timer_id):
            raise ConcurrencyConflict(f"the timer of incident {incident.id} is no longer failed")
        jobs.close_incident(incident.id, "retried", cmd.actor, note, now)
        record = StepRecord(ev.INCIDENT_RETRIED, incident.task_id, incident.element, data)
        version = append_step(uow, case, record, cmd.actor, now, ev.RETRY_INCIDENT_COMMAND, cmd.actor_kind)
    keep_hot(deps, case, version)
    return now


def resolve_incident(cmd: j.ResolveIncident, ctx: HandlerContext) -> datetime:
    """Close the incident with the operator's note (why no retry is needed); returns when."""
    deps: Deps = ctx.deps
    check_text(cmd.actor, "actor")
    note = check_message(cmd.note, "note", required=True)
    now = deps.clock.now()
    with deps.uow() as uow:
        case, incident = _lock_open_incident(uow, cmd.incident_id)
        uow.repository(JobStore).close_incident(incident.id, "resolved", cmd.actor, note, now)
        record = StepRecord(ev.INCIDENT_RESOLVED, incident.task_id, incident.element,
                            {"incident": incident.id, "kind": incident.kind, "note": note})
        version = append_step(uow, case, record, cmd.actor, now, ev.RESOLVE_INCIDENT_COMMAND, cmd.actor_kind)
    keep_hot(deps, case, version)
    return now
