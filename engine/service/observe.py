"""What the bus tells its observers about each command: its type, how long it took, how it ended, and which audit
events it chained; and the id of the request (or timer firing) the current thread works for.

Observers (metrics, the JSON command log) are plain callables registered by the entry points on
``MessageBus.observers``; the engine knows nothing of Prometheus or log formats. The request id is a context
variable the web app sets per request (``X-Request-ID``) and the scheduler per firing; log formatters read it.

Each audit event stores the request id too (``case_events.request_id``, covered by the hash chain when set), so an
event leads to the request's log lines and a log line to the events; the command log line also names each case,
sequence range and head hash the command wrote.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from engine.domain.commands import Command
from engine.domain.errors import ConcurrencyConflict, GridcaseError

log = logging.getLogger(__name__)

request_id: ContextVar[str | None] = ContextVar("gridcase_request_id", default=None)


@dataclass(frozen=True)
class EventsWritten:
    """A run of audit events one command chained on one case: sequence numbers and the new chain head."""

    case_id: int
    first_seq: int
    last_seq: int
    head_hash: str


@dataclass(frozen=True)
class CommandObserved:
    """One handled command: ``outcome`` is ok, refused (a 4xx-kind ``GridcaseError``), conflict or error."""

    command: Command
    seconds: float
    outcome: str
    error: BaseException | None = None
    events: tuple[EventsWritten, ...] = ()
    request_id: str | None = None

    @property
    def name(self) -> str:
        """The command's type name, e.g. ``CompleteHumanTask``."""
        return type(self.command).__name__


CommandObserver = Callable[[CommandObserved], None]


@dataclass
class _Chained:
    """The events chained so far in the running command, per case (a retried chain replaces the earlier run)."""

    runs: dict[int, EventsWritten] = field(default_factory=dict)


_CHAINED: ContextVar[_Chained | None] = ContextVar("gridcase_chained_events", default=None)


def note_events(case_id: int, events: Sequence[Any]) -> None:
    """Called by the step writer with the events it chained (``EventRow``s with ``seq`` and ``hash``)."""
    chained = _CHAINED.get()
    if chained is None or not events:
        return
    earlier = chained.runs.get(case_id)
    first = events[0].seq
    if earlier is not None and first == earlier.last_seq + 1:  # a second step of the same command on the case
        first = earlier.first_seq
    chained.runs[case_id] = EventsWritten(case_id, first, events[-1].seq, events[-1].hash)


def outcome_of(error: BaseException | None) -> str:
    """ok, conflict (``ConcurrencyConflict``), refused (another ``GridcaseError``) or error."""
    if error is None:
        return "ok"
    if isinstance(error, ConcurrencyConflict):
        return "conflict"
    return "refused" if isinstance(error, GridcaseError) else "error"


@contextmanager
def command_observed(observers: Sequence[CommandObserver], command: Command) -> Iterator[None]:
    """Time the block that runs ``command``'s handler, collect the events it chains, then tell ``observers``
    (after the commit or rollback). An observer that fails is logged, never raised into the command."""
    if not observers:
        yield
        return
    token = _CHAINED.set(_Chained())
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        yield
    except BaseException as exc:
        error = exc
        raise
    finally:
        chained = _CHAINED.get()
        _CHAINED.reset(token)
        outcome = outcome_of(error)
        events = tuple(chained.runs.values()) if chained is not None and outcome == "ok" else ()
        seen = CommandObserved(command, time.perf_counter() - started, outcome, error, events, request_id.get())
        for observer in observers:
            try:
                observer(seen)
            except Exception:  # metrics or logging must never fail a command that committed
                log.exception("command observer %r failed", observer)
