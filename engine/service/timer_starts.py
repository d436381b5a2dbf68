"""Timer start events: the scheduler starts a case of a deployed process at each due time, exactly once.

Each due time of a process's timer start event (``engine.bpmn.timer_starts``: a date, a duration after the
deployment, or a cycle) becomes one ``StartCase`` on channel ``timer-start`` with the external id
``PROCESS/START_EVENT@DUE`` (the due time in UTC ISO form) and the start message ``timer:START_EVENT`` (which fires
that timer start event and cancels the process's other start events; replay re-runs it the same way). The cases
table's unique (channel, external id) is the exactly-once guarantee: two schedulers that both see an occurrence due
both send the start, one inserts the case in the start's own transaction, the other finds it (``created`` False).
The next occurrence is the first after the latest started one, so starts never repeat and a scheduler that was
down starts each missed occurrence (at most ``limit`` per pass). Only the newest version of a process counts: a
version without the timer start stops it, and a version's occurrences begin at its deployment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.bpmn.iso8601 import parse_iso_datetime
from engine.bpmn.timer_starts import due_starts, literal
from engine.domain.commands import StartCase
from engine.persistence.read.timer_starts import last_timer_start, timer_start_versions
from engine.service.deps import Deps

TIMER_CHANNEL = "timer-start"


def _plans(deps: Deps, now: datetime, limit: int) -> list[tuple[str, str, list[datetime], datetime | None]]:
    """(process id, start event, due times to start now, the next due time after them) per timer start event."""
    plans = []
    with deps.uow(read_only=True) as uow:
        for process_id, version_id, deployed_at, names in timer_start_versions(uow.store):
            spec = deps.spec(uow, version_id).spec
            for name in names:
                bpmn_id = name.removeprefix("timer:")
                text = literal(_expression(spec, bpmn_id))
                if text is None:
                    continue
                last = last_timer_start(uow.store, TIMER_CHANNEL, f"{process_id}/{bpmn_id}@")
                after = parse_iso_datetime(last.rsplit("@", 1)[1]) if last is not None else None
                due, upcoming = due_starts(text, deployed_at, after, now, limit)
                plans.append((process_id, bpmn_id, due, upcoming))
    return plans


def _expression(spec: Any, bpmn_id: str) -> str | None:
    task_spec = spec.task_specs.get(bpmn_id)
    return getattr(getattr(task_spec, "event_definition", None), "expression", None)


def due_timer_starts(deps: Deps, now: datetime, limit: int = 100) -> list[StartCase]:
    """The StartCase commands of every timer start occurrence due by ``now`` and not started yet, oldest first."""
    return [StartCase(process_id, {}, "scheduler", TIMER_CHANNEL, f"{process_id}/{bpmn_id}@{due.isoformat()}",
                      start_message=f"timer:{bpmn_id}", actor_kind="scheduler")
            for process_id, bpmn_id, dues, _ in _plans(deps, now, limit) for due in dues]


def next_timer_starts(deps: Deps, now: datetime) -> dict[str, datetime]:
    """Process id → when its timer start events next start a case (the earliest; absent when none will)."""
    upcoming: dict[str, datetime] = {}
    for process_id, _, dues, following in _plans(deps, now, 1):
        candidates = [d for d in [*dues, following] if d is not None]
        if candidates and (process_id not in upcoming or min(candidates) < upcoming[process_id]):
            upcoming[process_id] = min(candidates)
    return upcoming
