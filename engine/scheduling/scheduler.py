"""The timer process: arms APScheduler jobs for timers coming due and fires each through FireTimer.

The database is the source of truth: a tick reads only the timers due within the look-ahead window
(an index range scan on ``(status, due_at)``, so its cost does not depend on how many are pending),
arms a job per timer, and each job fires through the normal command path. FireTimer checks the
row's status inside its transaction, so restarts, duplicate jobs or a second scheduler never fire a
timer twice.

The same process runs gridcase's own connectors (``engine.scheduling.connectors``): when a ``ConnectorLoop`` is
given, ``run`` starts it in a thread of its own, so a slow http call never delays a timer. Each tick also sweeps the
step clock (tasks past their warning or due time: ``task_warned``/``task_overdue``) and sends the periodic
commands the capabilities on top ask for (``every``: e.g. the transport upkeep), each when its interval is up.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from engine.domain.commands import Command, DeliverOutbox, FireTimer, WriteAuditCheckpoint
from engine.domain.errors import GridcaseError
from engine.persistence.read import timers as timer_reads
from engine.scheduling import step_clock
from engine.scheduling.connectors import ConnectorLoop
from engine.service.bus import MessageBus
from engine.service.observe import request_id
from engine.service.step_clock import TasksClocked
from engine.service.timer_starts import due_timer_starts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimerFiring:
    """One firing attempt, for the scheduler's observers (metrics): the FireTimer outcome (fired, failed, busy,
    already-fired …), how late it ran after the timer's due time by the engine clock, and how long it took."""

    timer_id: int
    outcome: str
    lag_seconds: float | None
    seconds: float


TimerObserver = Callable[[TimerFiring], None]


class TimerScheduler:
    """Polls the ``timers`` table and fires due timers; one instance per scheduler process."""

    def __init__(self, bus: MessageBus, *, lookahead: float = 5.0, batch: int = 1000, workers: int = 4,
                 checkpoint_every: float = 600.0, connectors: ConnectorLoop | None = None) -> None:
        self.bus = bus
        self.connectors = connectors  # the built-in connectors' jobs, run beside the ticks
        self.clock = bus.deps.clock
        self.lookahead = timedelta(seconds=lookahead)
        self.batch = batch
        self.workers = workers
        self._armed: dict[int, datetime] = {}  # armed timer → its due time
        self.observers: list[TimerObserver] = []  # told of every firing attempt (web.metrics)
        self._lock = threading.Lock()
        self._aps: BackgroundScheduler | None = None
        self.fired = 0
        self.last_tick_seconds = 0.0
        self.checkpoint_every = checkpoint_every
        self._next_checkpoint = time.monotonic()  # one at start, then every ``checkpoint_every`` seconds
        self._periodic: list[tuple[float, Callable[[], Command], list[float]]] = []  # (every, make, [next due])

    def due_soon(self, until: datetime) -> list[tuple[int, datetime]]:
        """Pending timers due up to ``until``, earliest first (at most ``batch``)."""
        with self.bus.deps.uow(read_only=True) as uow:
            return timer_reads.due_soon(uow.store, until, self.batch)

    def fire(self, timer_id: int, due: datetime | None = None) -> str:
        """Fire one timer through the command path; never raises (a scheduler keeps running). Its log lines carry
        a request id of their own (``timer-<id>-…``), as a web request's do."""
        started, token = time.perf_counter(), request_id.set(f"timer-{timer_id}-{uuid.uuid4().hex[:8]}")
        lag = None if due is None else (self.clock.now() - due).total_seconds()
        try:
            outcome: str = self.bus.handle(FireTimer(timer_id))
        except GridcaseError as exc:
            log.warning("timer %s: %s", timer_id, exc)
            outcome = "failed"
        except Exception:
            log.exception("timer %s failed", timer_id)
            outcome = "failed"
        finally:
            request_id.reset(token)
            with self._lock:
                self._armed.pop(timer_id, None)
        if outcome == "fired":
            self.fired += 1
        self._tell(TimerFiring(timer_id, outcome, lag, time.perf_counter() - started))
        return outcome

    def _tell(self, firing: TimerFiring) -> None:
        for observer in self.observers:
            try:
                observer(firing)
            except Exception:  # metrics must never stop the scheduler
                log.exception("timer observer %r failed", observer)

    def fire_due(self) -> list[str]:
        """Fire, in this thread, every timer already due by the clock (tests and catch-up)."""
        now = self.clock.now()
        return [self.fire(timer_id, due) for timer_id, due in self.due_soon(now) if due <= now]

    def tick(self) -> int:
        """Arm jobs for the timers due within the look-ahead window; returns how many were armed."""
        started = time.perf_counter()
        armed = 0
        now = self.clock.now()
        for timer_id, due in self.due_soon(now + self.lookahead):
            with self._lock:
                if timer_id in self._armed:
                    continue
                self._armed[timer_id] = due
            assert self._aps is not None
            # APScheduler runs on the wall clock; translate from the engine clock (equal in production).
            run_at = datetime.now(UTC) + (due - now)
            self._aps.add_job(self.fire, "date", run_date=run_at, args=[timer_id, due], id=f"timer-{timer_id}",
                              replace_existing=True, misfire_grace_time=None)
            armed += 1
        self.last_tick_seconds = time.perf_counter() - started
        return armed

    def start(self) -> None:
        """Start the APScheduler thread pool (jobs run there)."""
        self._aps = BackgroundScheduler(executors={"default": ThreadPoolExecutor(self.workers)}, timezone="UTC")
        self._aps.start()

    def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=True)
            self._aps = None

    def retry_outbox(self, grace: float = 5.0, max_attempts: int = 5) -> list[str]:
        """Deliver thrown messages a crash left undelivered (older than ``grace`` seconds)."""
        with self.bus.deps.uow(read_only=True) as uow:
            ids = uow.store.undelivered_outbox(self.clock.now() - timedelta(seconds=grace), max_attempts,
                                               self.batch)
        return [self.bus.handle(DeliverOutbox(outbox_id)) for outbox_id in ids]

    def start_timer_processes(self) -> list[Any]:
        """Start a case for each timer start event occurrence now due (engine.service.timer_starts): each exactly
        once, however many schedulers run; returns the CaseRefs (``created`` False: another scheduler did)."""
        started = []
        for command in due_timer_starts(self.bus.deps, self.clock.now()):
            try:
                started.append(self.bus.handle(command))
            except GridcaseError as exc:
                log.warning("timer start %s: %s", command.external_id, exc)
        return started

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set; the connector loop (if any) runs meanwhile."""
        self.start()
        looping = None
        if self.connectors is not None:
            looping = threading.Thread(target=self.connectors.run, args=(stop, interval), name="connectors",
                                       daemon=True)
            looping.start()
        try:
            while not stop.is_set():
                try:
                    self.tick()
                    self.retry_outbox()
                    self.start_timer_processes()
                    self.clock_tasks()
                    self.checkpoint_if_due()
                    self.run_periodic()
                except Exception:  # the database may be briefly unavailable; keep the process alive
                    log.exception("scheduler tick failed")
                stop.wait(interval)
        finally:
            if looping is not None:
                looping.join(timeout=max(interval, 1.0) + 70)  # a call in flight ends within its timeout (≤ 60 s)
            self.stop()

    def clock_tasks(self) -> list[TasksClocked]:
        """The step clock's sweep (engine.scheduling.step_clock): warnings and overdues now due, per case."""
        return step_clock.sweep(self.bus, self.batch)

    def checkpoint_if_due(self) -> None:
        """Write an audit checkpoint when ``checkpoint_every`` seconds have passed since the last one."""
        if time.monotonic() < self._next_checkpoint:
            return
        self._next_checkpoint = time.monotonic() + self.checkpoint_every
        self.bus.handle(WriteAuditCheckpoint())

    def every(self, seconds: float, command: Callable[[], Command]) -> None:
        """Send ``command()`` through the bus every ``seconds`` (the first on the next tick)."""
        self._periodic.append((seconds, command, [time.monotonic()]))

    def run_periodic(self) -> list[Any]:
        """Send the periodic commands whose interval is up; their results (a refused or failed one is logged and
        tried again at its next interval: the scheduler keeps running)."""
        results = []
        for seconds, command, due in self._periodic:
            if time.monotonic() < due[0]:
                continue
            due[0] = time.monotonic() + seconds
            made = command()
            try:
                results.append(self.bus.handle(made))
            except Exception:
                log.exception("periodic %s failed", type(made).__name__)
        return results

    def status(self) -> dict[str, Any]:
        """Armed jobs, timers fired by this process, how long the last tick took, connector jobs run."""
        return {"armed": len(self._armed), "fired": self.fired, "last_tick_s": self.last_tick_seconds,
                "connector_jobs": 0 if self.connectors is None else self.connectors.done}
