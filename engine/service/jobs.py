"""Handlers of the external-worker job commands: fetch and lock, complete, fail, throw a BPMN error, extend a lock.

Each is one unit of work. A command on one job locks the job's case first, then the job row (the order every step
that ends jobs takes), and checks that the job is open and locked by the calling worker: a second completion, or
one by a worker whose lock another worker took over after it expired, is a ``ConcurrencyConflict`` (409). What
changes the case — completing, a BPMN error, a failure without retries left (an incident) — is chained into its
audit log; a failure with retries left and a lock only touch the job row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.domain import events as ev
from engine.domain import jobs as j
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound
from engine.domain.input_limits import text_problem
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.repositories.jobs import JobRow, JobStore
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.handlers import CaseRef, check_data, check_text, finish_command, ready_ids
from engine.service.steps import chain_events, load_runner, persist_step


@dataclass(frozen=True)
class JobFailed:
    """What a failure did: retried later (``retry_at``), or an incident (no retries left)."""

    job_id: int
    retries: int
    retry_at: datetime | None
    incident: bool


def check_message(value: object, field: str, *, required: bool = False) -> str:
    """Text of at most ``MAX_MESSAGE`` characters a database keeps; InvalidCommand naming ``field``."""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidCommand(f"{field} must be {'a non-empty' if required else 'a'} string", field=field)
    if len(value) > j.MAX_MESSAGE:
        raise InvalidCommand(f"{field} is longer than {j.MAX_MESSAGE} characters", field=field)
    problem = text_problem(value)
    if problem is not None:
        raise InvalidCommand(f"{field} {problem}", field=field)
    return value


def fetch_and_lock_jobs(cmd: j.FetchAndLockJobs, ctx: HandlerContext) -> list[j.LockedJob]:
    """Lock up to ``max_jobs`` fetchable jobs of the topics, in the order asked, for the worker."""
    deps: Deps = ctx.deps
    worker = j.check_worker(cmd.worker_id, cmd.connector)
    topics = j.check_topics(cmd.topics, cmd.connector)
    wanted = j.check_count(cmd.max_jobs, "max_jobs", 1, j.MAX_JOBS_PER_FETCH)
    now = deps.clock.now()
    locked: list[j.LockedJob] = []
    with deps.uow() as uow:
        jobs = uow.repository(JobStore)
        for request in topics:
            if len(locked) >= wanted:
                break
            until = j.lock_expiry(now, request.lock_duration_ms)
            locked += jobs.fetch_and_lock(worker, request.topic, until, wanted - len(locked), now)
    return locked


def lock_held_job(uow: UnitOfWork, job_id: int, worker_id: str) -> tuple[CaseRow, JobRow]:
    """The job's case and the job, both locked; the job must be open and locked by ``worker_id``."""
    jobs = uow.repository(JobStore)
    case_id = jobs.job_case(job_id)
    if case_id is None:
        raise NotFound(f"job {job_id} not found", field="job_id")
    case = uow.store.lock_case(case_id)
    job = jobs.lock_job(job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found", field="job_id")
    if job.state != j.OPEN:
        raise ConcurrencyConflict(f"job {job_id} is {job.state}")
    if job.lock_owner != worker_id:
        holder = "no worker: fetch and lock it first" if job.lock_owner is None else "another worker"
        raise ConcurrencyConflict(f"job {job_id} is locked by {holder}, not by {worker_id}")
    return case, job


def complete_job(cmd: j.CompleteJob, ctx: HandlerContext) -> CaseRef:
    """Complete the worker's job: its variables go into the case data and the workflow goes on, once."""
    deps: Deps = ctx.deps
    worker = j.check_worker(cmd.worker_id, cmd.connector)
    check_text(cmd.actor, "actor")
    variables = check_data(cmd.variables, "variables")
    now = deps.clock.now()
    with deps.uow() as uow:
        case, job = lock_held_job(uow, cmd.job_id, worker)
        runner = load_runner(deps, uow, case)
        runner.complete_job(job.task_id, variables, now)
        uow.repository(JobStore).finish_job(job.id, j.COMPLETED, now)
        outcome = runner.advance(now)
        done = StepRecord(ev.JOB_COMPLETED, job.task_id, job.bpmn_id, {"worker": worker, "variables": variables})
        version = persist_step(uow, case, outcome, cmd.actor, now, first=[done], command=ev.COMPLETE_JOB_COMMAND,
                               actor_kind=cmd.actor_kind, hooks=deps.step_hooks)
    finish_command(deps, ctx, case.id, version, runner, outcome)
    return CaseRef(case.id, version, ready_tasks=ready_ids(outcome), occurred_at=now)


def throw_job_error(cmd: j.ThrowJobError, ctx: HandlerContext) -> CaseRef:
    """Throw the worker's BPMN error from the job's service task; its error boundary event takes the case on."""
    deps: Deps = ctx.deps
    worker = j.check_worker(cmd.worker_id, cmd.connector)
    check_text(cmd.actor, "actor")
    code = check_message(cmd.error_code, "error_code", required=True)
    message = check_message(cmd.error_message, "error_message")
    variables = check_data(cmd.variables, "variables")
    now = deps.clock.now()
    with deps.uow() as uow:
        case, job = lock_held_job(uow, cmd.job_id, worker)
        runner = load_runner(deps, uow, case)
        runner.throw_job_error(job.task_id, code, variables, now)
        uow.repository(JobStore).finish_job(job.id, j.ERRORED, now, f"{code}: {message}" if message else code)
        outcome = runner.advance(now)
        thrown = StepRecord(ev.JOB_BPMN_ERROR, job.task_id, job.bpmn_id,
                            {"worker": worker, "code": code, "message": message, "variables": variables})
        version = persist_step(uow, case, outcome, cmd.actor, now, first=[thrown],
                               command=ev.THROW_JOB_ERROR_COMMAND, actor_kind=cmd.actor_kind, hooks=deps.step_hooks)
    finish_command(deps, ctx, case.id, version, runner, outcome)
    return CaseRef(case.id, version, ready_tasks=ready_ids(outcome), occurred_at=now)


def fail_job(cmd: j.FailJob, ctx: HandlerContext) -> JobFailed:
    """The worker failed: with retries left the job is fetchable again after the back-off; without, it becomes an
    incident (``job_failed`` in the case's log) until an operator retries or resolves it. Retries or back-off left
    out of the report come from the job (the model's: ``engine.domain.jobs.next_failure``)."""
    deps: Deps = ctx.deps
    worker = j.check_worker(cmd.worker_id, cmd.connector)
    check_text(cmd.actor, "actor")
    error = check_message(cmd.error_message, "error_message", required=True)
    given = None if cmd.retries is None else j.check_count(cmd.retries, "retries", 0, j.MAX_RETRIES)
    timeout = None if cmd.retry_timeout_ms is None else j.check_count(
        cmd.retry_timeout_ms, "retry_timeout_ms", 0, j.MAX_RETRY_TIMEOUT_MS)
    now = deps.clock.now()
    with deps.uow() as uow:
        case, job = lock_held_job(uow, cmd.job_id, worker)
        jobs = uow.repository(JobStore)
        rule = j.next_failure(job.retries, job.retry_backoff_ms, given, timeout)
        if not rule.incident:
            retry_at = now + timedelta(milliseconds=rule.retry_timeout_ms)
            jobs.retry_later(job.id, rule.retries, retry_at, error)
            return JobFailed(job.id, rule.retries, retry_at, incident=False)
        jobs.finish_job(job.id, j.INCIDENT, now, error)
        jobs.open_incident(j.JOB_KIND, case.id, job.bpmn_id, job.task_id, error, now, job_id=job.id)
        record = StepRecord(ev.JOB_FAILED, job.task_id, job.bpmn_id, {"worker": worker, "error": error})
        version = append_step(uow, case, record, cmd.actor, now, ev.JOB_FAILURE_COMMAND, cmd.actor_kind)
    keep_hot(deps, case, version)
    return JobFailed(job.id, 0, None, incident=True)


def extend_job_lock(cmd: j.ExtendJobLock, ctx: HandlerContext) -> datetime:
    """The worker's lock runs ``new_duration_ms`` from now; returns the new expiry."""
    deps: Deps = ctx.deps
    worker = j.check_worker(cmd.worker_id)
    duration = j.check_count(cmd.new_duration_ms, "new_duration_ms", 1, j.MAX_LOCK_MS)
    now = deps.clock.now()
    with deps.uow() as uow:
        _, job = lock_held_job(uow, cmd.job_id, worker)
        until = j.lock_expiry(now, duration)
        uow.repository(JobStore).extend_lock(job.id, until)
    return until


def append_step(uow: UnitOfWork, case: CaseRow, record: StepRecord, actor: str, now: datetime, command: str,
                actor_kind: str | None) -> int:
    """A step of one event that changes no workflow state (a job's incident, an operator's retry or resolution);
    returns the case's new version."""
    events = chain_events(case, [record], actor, now, command=command, actor_kind=actor_kind)
    uow.store.append_events(case.id, case.process_version_id, events)
    return uow.store.finish_case(case, workflow_json=None, status=case.status, now=now, events=events)


def keep_hot(deps: Deps, case: CaseRow, version: int) -> None:
    """The case's hot workflow (unchanged by the step) stays cached under its new version."""
    runner = deps.workflows.take(case.id, case.version)
    if runner is not None:
        deps.workflows.put(case.id, version, runner)
