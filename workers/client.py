"""A small external-task worker for gridcase's job API (docs/workers.md): HTTP and JSON only.

    worker = ExternalTaskWorker("https://gridcase.example", token, "geo-worker-1")
    worker.subscribe("address-check", check_address)   # handler(job) -> variables (a dict) or None
    worker.run()                                        # fetch and lock, handle, complete; until stopped

A handler that returns completes the job with the variables it returned. One that raises ``BpmnError(code, …)``
throws that BPMN error from the service task (its error boundary event takes the case on). Any other exception is
a failure: the job is retried after a back-off that doubles each time, and after ``retries`` failures it becomes an
incident for the operators — or, with ``retries=None``, as the job's model says (its ``retries`` and
``retryBackoff``: the server counts down). A job whose lock another worker took over meanwhile (409) is left to
that worker.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ApiUnavailable(Exception):
    """The API could not be reached (or kept failing) within the retry budget."""


class ApiRefused(Exception):
    """The API answered with a 4xx: the same request cannot succeed."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


class BpmnError(Exception):  # the BPMN name: a handler raises it on purpose, it is no failure
    """Raised by a handler: throw BPMN error ``code`` from the service task, with ``variables`` for the case."""

    def __init__(self, code: str, message: str = "", variables: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code, self.message, self.variables = code, message, dict(variables or {})


@dataclass(frozen=True)
class Job:
    """A locked job as the API hands it out."""

    id: int
    case_id: int
    task_id: str
    bpmn_id: str
    topic: str
    variables: dict[str, Any]
    retries: int | None
    lock_expires_at: str


Handler = Callable[[Job], "dict[str, Any] | None"]


@dataclass
class JsonClient:
    """``/api/v1`` with a bearer token; connection errors, 429 and 5xx are retried with a doubling back-off (the
    way ``vision.client.ApiClient`` does), a 4xx is ``ApiRefused``."""

    base_url: str
    token: str
    attempts: int = 4
    backoff: float = 0.5
    timeout: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def post(self, path: str, body: Any) -> Any:
        """POST a JSON body; the decoded answer."""
        url = f"{self.base_url.rstrip('/')}/api/v1{path}"
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Accept": "application/json"}
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                request = urllib.request.Request(url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                    return json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                text = exc.read().decode("utf-8", "replace")
                if exc.code not in RETRY_STATUSES:
                    raise ApiRefused(exc.code, text) from None
                reason = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                reason = str(getattr(exc, "reason", exc))
            if attempt == self.attempts:
                raise ApiUnavailable(f"POST {path}: {reason} after {attempt} attempts")
            self.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")


@dataclass
class ExternalTaskWorker:
    """Fetches and locks jobs of its topics, runs their handlers, and reports each outcome."""

    base_url: str
    token: str
    worker_id: str
    lock_duration_ms: int = 60_000
    max_jobs: int = 10
    retries: int | None = 3  # failures before the job becomes an incident; None: the model's retries and back-off
    backoff_ms: int = 1_000  # the first retry's wait, doubled for each further failure
    max_backoff_ms: int = 300_000
    poll_interval: float = 1.0  # seconds to wait after a fetch that found nothing
    client: JsonClient | None = None
    handlers: dict[str, Handler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = JsonClient(self.base_url, self.token)

    @property
    def api(self) -> JsonClient:
        assert self.client is not None  # set in __post_init__
        return self.client

    def subscribe(self, topic: str, handler: Handler) -> ExternalTaskWorker:
        """Handle the jobs of ``topic`` with ``handler``; returns the worker (to chain subscriptions)."""
        self.handlers[topic] = handler
        return self

    def fetch(self) -> list[Job]:
        """Lock up to ``max_jobs`` jobs of the subscribed topics."""
        topics = [{"topic": t, "lock_duration_ms": self.lock_duration_ms} for t in self.handlers]
        found = self.api.post("/jobs/fetch-and-lock", {"worker_id": self.worker_id, "max_jobs": self.max_jobs,
                                                       "topics": topics})
        return [Job(j["id"], j["case_id"], j["task_id"], j["bpmn_id"], j["topic"], j["variables"], j["retries"],
                    j["lock_expires_at"]) for j in found]

    def run_once(self) -> int:
        """One fetch and the handling of what it locked; how many jobs it handled."""
        jobs = self.fetch()
        for job in jobs:
            self.handle(job)
        return len(jobs)

    def run(self, stop: threading.Event | None = None) -> None:
        """Fetch and handle until ``stop`` is set; waits ``poll_interval`` after a fetch that found nothing."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                handled = self.run_once()
            except ApiUnavailable as exc:
                log.warning("fetch failed: %s", exc)
                handled = 0
            if not handled:
                stop.wait(self.poll_interval)

    def handle(self, job: Job) -> str:
        """Run the job's handler and report it: completed, bpmn-error, failed, incident or lost (409)."""
        try:
            variables = self.handlers[job.topic](job) or {}
        except BpmnError as error:
            return self._report(job, "bpmn-error", {"error_code": error.code, "error_message": error.message,
                                                    "variables": error.variables}, "bpmn-error")
        except Exception as exc:  # any failure of the handler is reported, the loop goes on
            message = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
            if self.retries is None:  # the server counts the job's retries down and applies the model's back-off
                return self._report(job, "failure", {"error_message": message}, None)
            # The job carries its model's attempts left (None: opened before models had retries); the worker's own
            # setting can only lower them — the fewer of the two counts down.
            left = (self.retries if job.retries is None else min(self.retries, job.retries)) - 1
            left = max(left, 0)
            wait = min(self.backoff_ms * 2 ** max(self.retries - left - 1, 0), self.max_backoff_ms)
            return self._report(job, "failure", {"error_message": message, "retries": left,
                                                 "retry_timeout_ms": wait}, "incident" if left == 0 else "failed")
        return self._report(job, "complete", {"variables": variables}, "completed")

    def _report(self, job: Job, action: str, body: dict[str, Any], outcome: str | None) -> str:
        """Send the report; the outcome (None: a failure's, as the server's answer says)."""
        try:
            answer = self.api.post(f"/jobs/{job.id}/{action}", {"worker_id": self.worker_id, **body})
        except ApiRefused as exc:
            if exc.status != 409:
                raise
            log.info("job %s: %s refused, the lock is no longer ours: %s", job.id, action, exc)
            return "lost"
        if outcome is None:
            return "incident" if isinstance(answer, dict) and answer.get("incident") else "failed"
        return outcome
