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


@dataclass(frozen=True)
class JobView:
    """A job a step created: the waiting service task, its topic and the variables a worker gets."""

    task_id: str
    bpmn_id: str
    topic: str
    variables: dict[str, Any]


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


@dataclass(frozen=True)
class CompleteJob(Command):
    """The locking worker finished the job: ``variables`` go into the case data and the case goes on."""

    job_id: int
    worker_id: str
    variables: dict[str, Any] = field(default_factory=dict)
    actor: str = "worker"


@dataclass(frozen=True)
class FailJob(Command):
    """The locking worker could not do the job: fetchable again after ``retry_timeout_ms`` while
    ``retries`` is above zero; at zero the job becomes an incident."""

    job_id: int
    worker_id: str
    error_message: str
    retries: int
    retry_timeout_ms: int = 0
    actor: str = "worker"


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


def check_worker(worker_id: Any) -> str:
    """The worker id, or InvalidCommand naming ``worker_id``."""
    if not isinstance(worker_id, str) or not worker_id.strip() or len(worker_id) > MAX_WORKER_ID:
        raise InvalidCommand(f"worker_id must be a non-empty string of at most {MAX_WORKER_ID} characters",
                             field="worker_id")
    return worker_id


def check_count(value: Any, field_name: str, low: int, high: int) -> int:
    """An integer in [low, high], or InvalidCommand naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidCommand(f"{field_name} must be an integer from {low} to {high}", field=field_name)
    return value


def check_topics(topics: tuple[TopicRequest, ...]) -> tuple[TopicRequest, ...]:
    """At least one topic, each named and with a lock duration; InvalidCommand naming ``topics``."""
    if not topics:
        raise InvalidCommand("topics must name at least one topic", field="topics")
    for index, request in enumerate(topics):
        if not isinstance(request.topic, str) or not request.topic or len(request.topic) > MAX_TOPIC:
            raise InvalidCommand(f"topics[{index}].topic must be a topic name", field=f"topics[{index}].topic")
        check_count(request.lock_duration_ms, f"topics[{index}].lock_duration_ms", 1, MAX_LOCK_MS)
    return topics


def lock_expiry(now: datetime, duration_ms: int) -> datetime:
    """When a lock taken at ``now`` for ``duration_ms`` expires."""
    return now + timedelta(milliseconds=duration_ms)


def fetchable(state: str, lock_expires_at: datetime | None, retry_at: datetime | None, now: datetime) -> bool:
    """An open job whose lock (if any) expired and whose back-off (if any) is over."""
    return state == OPEN and (lock_expires_at is None or lock_expires_at <= now) and (
        retry_at is None or retry_at <= now)
