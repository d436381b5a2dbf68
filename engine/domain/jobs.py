"""External service-task jobs and incidents: the commands, the values and the rules, pure.

A service task with a topic waits in its case until an external worker completes it (Camunda 7 calls
them external tasks). When the case reaches the task, the step writes a **job**; workers fetch and lock
jobs by topic over the API, then complete them (the variables go into the case), report a failure (retried
after a back-off, an **incident** when no retries are left) or throw a BPMN error the task's error boundary
event catches. A failed timer is an incident too. Operators retry or resolve incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.domain.commands import Command
from engine.domain.errors import InvalidCommand

# Job states: open (waiting for a worker, maybe locked by one), completed, incident (no retries left),
# errored (a BPMN error was thrown from it), cancelled (its task was interrupted or removed).
OPEN, COMPLETED, INCIDENT, ERRORED, CANCELLED = "open", "completed", "incident", "errored", "cancelled"
JOB_KIND, TIMER_KIND = "job", "timer"  # what an incident is about
MAX_TOPIC = 200
MAX_WORKER_ID = 100
MAX_MESSAGE = 2000
MAX_JOBS_PER_FETCH = 500
MAX_LOCK_MS = 24 * 3600 * 1000  # a lock longer than a day is a worker that forgot to extend it
MAX_RETRIES = 1000
MAX_RETRY_TIMEOUT_MS = 7 * 24 * 3600 * 1000
DEFAULT_RETRIES = 3  # a service task's ``retries`` when its model says none
DEFAULT_RETRY_BACKOFF_MS = 60_000  # and its ``retryBackoff`` (PT1M)
# Topics and worker ids the engine's own connectors use (engine/connectors): an external worker may not fetch
# their jobs nor pose as one of them.
RESERVED_PREFIX = "gridcase:"


@dataclass(frozen=True)
class JobView:
    """A job a step created: the waiting service task, its topic and the variables a worker gets."""

    task_id: str
    bpmn_id: str
    topic: str
    variables: dict[str, Any]
    retries: int = DEFAULT_RETRIES  # the model's: retried this many times after failures, then an incident
    retry_backoff_ms: int = DEFAULT_RETRY_BACKOFF_MS  # the model's wait before each retry
    call: dict[str, Any] | None = None  # a connector's prepared call (engine/connectors); None: an external worker


@dataclass(frozen=True)
class LockedJob:
    """A job as fetch-and-lock hands it to a worker."""

    id: int
    case_id: int
    task_id: str
    bpmn_id: str
    topic: str
    variables: dict[str, Any]
    retries: int | None
    lock_expires_at: datetime
    created_at: datetime
    call: dict[str, Any] | None = None  # a connector job's prepared call (never handed to an external worker)


@dataclass(frozen=True)
class TopicRequest:
    """One topic a worker fetches, and how long it locks what it gets (milliseconds)."""

    topic: str
    lock_duration_ms: int


@dataclass(frozen=True)
class FetchAndLockJobs(Command):
    """Lock up to ``max_jobs`` open, unlocked (or lock-expired), due jobs of ``topics`` for ``worker_id``."""

    worker_id: str
    topics: tuple[TopicRequest, ...]
    max_jobs: int = 10
    connector: bool = False  # the engine's connector loop: may fetch the reserved ``gridcase:…`` topics


@dataclass(frozen=True)
class CompleteJob(Command):
    """The locking worker finished the job: ``variables`` go into the case data and the case goes on."""

    job_id: int
    worker_id: str
    variables: dict[str, Any] = field(default_factory=dict)
    actor: str = "worker"
    connector: bool = False


@dataclass(frozen=True)
class FailJob(Command):
    """The locking worker could not do the job: fetchable again after ``retry_timeout_ms`` while
    ``retries`` is above zero; at zero the job becomes an incident. Either left out (None): the model's — the job's
    retries go down by one, its ``retryBackoff`` applies (``next_failure``)."""

    job_id: int
    worker_id: str
    error_message: str
    retries: int | None = None
    retry_timeout_ms: int | None = None
    actor: str = "worker"
    connector: bool = False


@dataclass(frozen=True)
class ThrowJobError(Command):
    """The locking worker throws BPMN error ``error_code`` from the service task (caught by its error boundary
    event with that code, or one without a code); ``variables`` go into the case data first."""

    job_id: int
    worker_id: str
    error_code: str
    error_message: str = ""
    variables: dict[str, Any] = field(default_factory=dict)
    actor: str = "worker"
    connector: bool = False


@dataclass(frozen=True)
class ExtendJobLock(Command):
    """The locking worker needs ``new_duration_ms`` more, counted from now."""

    job_id: int
    worker_id: str
    new_duration_ms: int


@dataclass(frozen=True)
class RetryIncident(Command):
    """An operator tries again: a job gets ``retries`` and is fetchable at once; a failed timer fires again."""

    incident_id: int
    actor: str
    retries: int = 1
    note: str = ""


@dataclass(frozen=True)
class ResolveIncident(Command):
    """An operator closes the incident without retrying (fixed outside, or not to be done), saying why."""

    incident_id: int
    actor: str
    note: str


def check_worker(worker_id: Any, connector: bool = False) -> str:
    """The worker id, or InvalidCommand naming ``worker_id`` (ids starting ``gridcase:`` are the connectors')."""
    if not isinstance(worker_id, str) or not worker_id.strip() or len(worker_id) > MAX_WORKER_ID:
        raise InvalidCommand(f"worker_id must be a non-empty string of at most {MAX_WORKER_ID} characters",
                             field="worker_id")
    if worker_id.startswith(RESERVED_PREFIX) and not connector:
        raise InvalidCommand(f"worker_id: ids starting with {RESERVED_PREFIX!r} are reserved for gridcase's own "
                             "connectors", field="worker_id")
    return worker_id


def check_count(value: Any, field_name: str, low: int, high: int) -> int:
    """An integer in [low, high], or InvalidCommand naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidCommand(f"{field_name} must be an integer from {low} to {high}", field=field_name)
    return value


def check_topics(topics: tuple[TopicRequest, ...], connector: bool = False) -> tuple[TopicRequest, ...]:
    """At least one topic, each named and with a lock duration; InvalidCommand naming ``topics``. The reserved
    ``gridcase:…`` topics (jobs the engine's connectors run) only for ``connector``."""
    if not topics:
        raise InvalidCommand("topics must name at least one topic", field="topics")
    for index, request in enumerate(topics):
        if not isinstance(request.topic, str) or not request.topic or len(request.topic) > MAX_TOPIC:
            raise InvalidCommand(f"topics[{index}].topic must be a topic name", field=f"topics[{index}].topic")
        if request.topic.startswith(RESERVED_PREFIX) and not connector:
            raise InvalidCommand(f"topics[{index}].topic: {request.topic!r} is run by gridcase itself, not by an "
                                 "external worker", field=f"topics[{index}].topic")
        check_count(request.lock_duration_ms, f"topics[{index}].lock_duration_ms", 1, MAX_LOCK_MS)
    return topics


def lock_expiry(now: datetime, duration_ms: int) -> datetime:
    """When a lock taken at ``now`` for ``duration_ms`` expires."""
    return now + timedelta(milliseconds=duration_ms)


def fetchable(state: str, lock_expires_at: datetime | None, retry_at: datetime | None, now: datetime) -> bool:
    """An open job whose lock (if any) expired and whose back-off (if any) is over."""
    return state == OPEN and (lock_expires_at is None or lock_expires_at <= now) and (
        retry_at is None or retry_at <= now)


def initial_retries(model_retries: int) -> int:
    """The ``retries`` a new job's row starts with. The row counts attempts left, Camunda's way (a worker reports
    the count after its failure; 0 is an incident), so a task retried ``model_retries`` times after failures starts
    one higher: the first attempt and its retries."""
    return model_retries + 1


@dataclass(frozen=True)
class FailureRule:
    """What one failure does to a job: the attempts left after it (0: an incident) and the wait before the next."""

    retries: int
    retry_timeout_ms: int

    @property
    def incident(self) -> bool:
        """No attempt left: the job becomes an incident."""
        return self.retries == 0


def next_failure(job_retries: int | None, job_backoff_ms: int | None, retries: int | None,
                 retry_timeout_ms: int | None) -> FailureRule:
    """A failure's effect: what the worker said wins (as in Camunda); what it left out comes from the job — one
    attempt fewer, the model's back-off. A job opened before models carried retries starts from the default."""
    if retries is None:
        left = initial_retries(DEFAULT_RETRIES) if job_retries is None else job_retries
        retries = max(left - 1, 0)
    if retry_timeout_ms is None:
        retry_timeout_ms = DEFAULT_RETRY_BACKOFF_MS if job_backoff_ms is None else job_backoff_ms
    return FailureRule(retries, retry_timeout_ms)
