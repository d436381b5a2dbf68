"""External-worker jobs over HTTP (docs/workers.md): fetch and lock, complete, failure, BPMN error, extend lock.

Workers are machine accounts (the ``integration`` role: WORK_EXTERNAL_JOBS). Each call is one command in one
transaction; a job another worker holds, or one already done, is 409. Field names are the API's snake_case
(Camunda's ``workerId``/``lockDuration``/``maxTasks`` are ``worker_id``/``lock_duration_ms``/``max_jobs``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate

from engine.domain import jobs as j
from engine.service.incidents import job_by_id
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError
from web.api.schemas import Strict
from web.policy import OPERATE_INCIDENTS, WORK_EXTERNAL_JOBS, allows

bp = Blueprint("api_jobs", __name__)
WORKER = fields.String(required=True, validate=validate.Length(min=1, max=j.MAX_WORKER_ID))


class TopicSchema(Strict):
    topic = fields.String(required=True, validate=validate.Length(min=1, max=j.MAX_TOPIC))
    lock_duration_ms = fields.Integer(required=True, strict=True, validate=validate.Range(1, j.MAX_LOCK_MS))


class FetchSchema(Strict):
    worker_id = WORKER
    max_jobs = fields.Integer(strict=True, load_default=10, validate=validate.Range(1, j.MAX_JOBS_PER_FETCH))
    topics = fields.List(fields.Nested(TopicSchema), required=True, validate=validate.Length(min=1, max=50))


class CompleteSchema(Strict):
    worker_id = WORKER
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class FailureSchema(Strict):
    worker_id = WORKER
    error_message = fields.String(required=True, validate=validate.Length(min=1, max=j.MAX_MESSAGE))
    # Either left out: the model's (the job's retries go down by one, the task's retryBackoff applies).
    retries = fields.Integer(load_default=None, strict=True, validate=validate.Range(0, j.MAX_RETRIES))
    retry_timeout_ms = fields.Integer(load_default=None, strict=True,
                                      validate=validate.Range(0, j.MAX_RETRY_TIMEOUT_MS))


class BpmnErrorSchema(Strict):
    worker_id = WORKER
    error_code = fields.String(required=True, validate=validate.Length(min=1, max=j.MAX_MESSAGE))
    error_message = fields.String(load_default="", validate=validate.Length(max=j.MAX_MESSAGE))
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class ExtendSchema(Strict):
    worker_id = WORKER
    new_duration_ms = fields.Integer(required=True, strict=True, validate=validate.Range(1, j.MAX_LOCK_MS))


def stamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC, or None."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _locked(job: j.LockedJob) -> dict[str, Any]:
    return {"id": job.id, "case_id": job.case_id, "task_id": job.task_id, "bpmn_id": job.bpmn_id,
            "topic": job.topic, "variables": job.variables, "retries": job.retries,
            "lock_expires_at": stamp(job.lock_expires_at), "created_at": stamp(job.created_at)}


@bp.post("/jobs/fetch-and-lock")
@authenticated(WORK_EXTERNAL_JOBS)
def fetch_and_lock() -> ResponseReturnValue:
    """``{worker_id, max_jobs?, topics: [{topic, lock_duration_ms}]}`` → the jobs now locked for the worker."""
    body = FetchSchema().load(json_body())
    who = caller()
    topics = tuple(j.TopicRequest(t["topic"], t["lock_duration_ms"]) for t in body["topics"])
    locked = context.bus().handle(j.FetchAndLockJobs(body["worker_id"], topics, body["max_jobs"],
                                                     actor_kind=who.actor_kind))
    return jsonify([_locked(job) for job in locked])


@bp.get("/jobs/<int:job_id>")
@authenticated()
def get_job(job_id: int) -> ResponseReturnValue:
    """One job's row (workers and operators)."""
    who = caller()
    if not (allows(who, WORK_EXTERNAL_JOBS) or allows(who, OPERATE_INCIDENTS)):
        raise ApiError(403, f"role {who.role} may not {WORK_EXTERNAL_JOBS.name}")
    found = job_by_id(context.deps(), job_id)
    if found is None:
        raise ApiError(404, f"job {job_id} not found")
    return jsonify({k: stamp(v) if isinstance(v, datetime) else v for k, v in found.items()})


@bp.post("/jobs/<int:job_id>/complete")
@authenticated(WORK_EXTERNAL_JOBS)
def complete(job_id: int) -> ResponseReturnValue:
    """``{worker_id, variables?}``: the variables go into the case and it goes on (409 if not this worker's)."""
    body = CompleteSchema().load(json_body())
    who = caller()
    ref = context.bus().handle(j.CompleteJob(job_id, body["worker_id"], body["variables"], who.username,
                                             actor_kind=who.actor_kind))
    return jsonify({"job_id": job_id, "case_id": ref.case_id, "ready_tasks": list(ref.ready_tasks)})


@bp.post("/jobs/<int:job_id>/failure")
@authenticated(WORK_EXTERNAL_JOBS)
def failure(job_id: int) -> ResponseReturnValue:
    """``{worker_id, error_message, retries?, retry_timeout_ms?}``: fetchable again after the back-off while retries
    are left; with ``retries`` 0 an incident for the operators. Left out: the job's retries less one, the model's
    back-off."""
    body = FailureSchema().load(json_body())
    who = caller()
    failed = context.bus().handle(j.FailJob(job_id, body["worker_id"], body["error_message"], body["retries"],
                                            body["retry_timeout_ms"], who.username, actor_kind=who.actor_kind))
    return jsonify({"job_id": job_id, "retries": failed.retries, "retry_at": stamp(failed.retry_at),
                    "incident": failed.incident})


@bp.post("/jobs/<int:job_id>/bpmn-error")
@authenticated(WORK_EXTERNAL_JOBS)
def bpmn_error(job_id: int) -> ResponseReturnValue:
    """``{worker_id, error_code, error_message?, variables?}``: thrown from the service task to its error boundary
    event (422 naming ``error_code`` when none catches it)."""
    body = BpmnErrorSchema().load(json_body())
    who = caller()
    ref = context.bus().handle(j.ThrowJobError(job_id, body["worker_id"], body["error_code"], body["error_message"],
                                               body["variables"], who.username, actor_kind=who.actor_kind))
    return jsonify({"job_id": job_id, "case_id": ref.case_id, "ready_tasks": list(ref.ready_tasks)})


@bp.post("/jobs/<int:job_id>/extend-lock")
@authenticated(WORK_EXTERNAL_JOBS)
def extend_lock(job_id: int) -> ResponseReturnValue:
    """``{worker_id, new_duration_ms}``: the worker's lock now runs that long from now."""
    body = ExtendSchema().load(json_body())
    who = caller()
    until = context.bus().handle(j.ExtendJobLock(job_id, body["worker_id"], body["new_duration_ms"],
                                                 actor_kind=who.actor_kind))
    return jsonify({"job_id": job_id, "lock_expires_at": stamp(until)})
