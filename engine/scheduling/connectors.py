"""The scheduler's connector loop: jobs of gridcase's own connectors (``engine.connectors``), run in this process.

One iteration (``run_once``) fetches and locks each connector's jobs through ``FetchAndLockJobs`` — a command of its
own, so no transaction is held while calling out — makes each call, then reports it with ``CompleteJob``,
``ThrowJobError`` or ``FailJob``, each one more command. Two loops (two scheduler processes, or a restarted one) never
run a job twice: fetch-and-lock hands a job to one worker id (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite's single
writer), and only the locking worker may report it. A 4xx whose BPMN error nothing in the model catches, and a call
the settings refuse, become incidents; the operations page retries them like any job's.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping

from engine.connectors.base import Completed, Connector, ConnectorSettings, Failed, Outcome, Thrown
from engine.connectors.registry import CONNECTORS
from engine.domain import jobs as j
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand, NotFound, ScriptRejected
from engine.service.bus import MessageBus
from engine.service.observe import request_id

log = logging.getLogger(__name__)
ACTOR = "scheduler"  # the audit log's actor of a connector's reports (actor kind: scheduler)


class ConnectorLoop:
    """Runs the built-in connectors' jobs for one scheduler process (its own worker id)."""

    def __init__(self, bus: MessageBus, settings: ConnectorSettings, *, worker_id: str | None = None,
                 batch: int = 50, connectors: Mapping[str, Connector] | None = None) -> None:
        self.bus = bus
        self.settings = settings
        self.batch = batch  # jobs one iteration runs at most, per connector
        self.connectors = dict(CONNECTORS if connectors is None else connectors)
        # Unique per process: a second scheduler's loop must not report this one's jobs.
        self.worker_id = worker_id or f"{j.RESERVED_PREFIX}{socket.gethostname()[:40]}-{os.getpid()}-" \
                                      f"{uuid.uuid4().hex[:8]}"
        self.done = 0

    def run_once(self) -> int:
        """Fetch, call and report the jobs now due (up to ``batch`` per connector); returns how many were reported.

        One job is locked at a time, just before its call: a lock covers one call and its report (``lock_ms``), so
        no job waits behind other slow calls while its lock runs out (and another loop calls it a second time)."""
        reported = 0
        for connector in self.connectors.values():
            topics = (j.TopicRequest(connector.topic, connector.lock_ms),)
            for _ in range(self.batch):
                locked: list[j.LockedJob] = self.bus.handle(j.FetchAndLockJobs(
                    self.worker_id, topics, 1, connector=True, actor_kind=ACTOR))
                if not locked:
                    break
                reported += self._run(connector, locked[0])
        self.done += reported
        return reported

    def _run(self, connector: Connector, job: j.LockedJob) -> int:
        token = request_id.set(f"connector-{job.id}-{uuid.uuid4().hex[:8]}")
        try:
            if job.call is None:  # cannot happen for a job the model's connector opened; never call blindly
                outcome: Outcome = Failed(f"job {job.id} has no prepared call", retry=False)
            else:
                try:
                    outcome = connector.call(job.call, self.settings)
                except Exception as exc:  # a connector bug must not stop the loop: the job is retried
                    log.exception("connector %s failed on job %s", connector.name, job.id)
                    outcome = Failed(f"the {connector.name} connector failed: {type(exc).__name__}: {exc}")
            self._report(job, outcome)
            return 1
        except (ConcurrencyConflict, NotFound) as exc:  # cancelled meanwhile, or the lock expired and was taken
            log.warning("connector job %s: %s", job.id, exc)
            return 0
        except GridcaseError as exc:  # the report was refused: the job waits for its lock to expire, then again
            log.error("connector job %s: reporting failed: %s", job.id, exc)
            return 0
        finally:
            request_id.reset(token)

    def _report(self, job: j.LockedJob, outcome: Outcome) -> None:
        if isinstance(outcome, Completed):
            try:
                self.bus.handle(j.CompleteJob(job.id, self.worker_id, outcome.variables, ACTOR, connector=True,
                                              actor_kind=ACTOR))
            except (InvalidCommand, ScriptRejected) as exc:  # the answer refused as data, or the model's next step
                self._fail(job, Failed(f"completing with the answer failed: {exc}", retry=False))
        elif isinstance(outcome, Thrown):
            try:
                self.bus.handle(j.ThrowJobError(job.id, self.worker_id, outcome.code, outcome.message[:j.MAX_MESSAGE],
                                                outcome.variables, ACTOR, connector=True, actor_kind=ACTOR))
            except InvalidCommand as exc:  # nothing in the model catches the code: an operator must look
                if exc.field != "error_code":
                    raise
                self._fail(job, Failed(f"{outcome.message}; no error boundary event catches {outcome.code}",
                                       retry=False))
        else:
            self._fail(job, outcome)

    def _fail(self, job: j.LockedJob, failed: Failed) -> None:
        self.bus.handle(j.FailJob(job.id, self.worker_id, failed.message[:j.MAX_MESSAGE],
                                  None if failed.retry else 0, None, ACTOR, connector=True, actor_kind=ACTOR))

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Iterate until ``stop`` is set, waiting ``interval`` seconds after an iteration that found nothing."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except GridcaseError as exc:
                log.warning("connector loop: %s", exc)
                busy = 0
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("connector loop failed")
                busy = 0
            if not busy:
                stop.wait(interval)
