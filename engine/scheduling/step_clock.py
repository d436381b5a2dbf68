"""The step clock's sweep: every case with a task past its warning or due time gets one ClockTasks, in a
transaction of its own, so one case that fails (a lock held too long) never holds the others back."""

from __future__ import annotations

import logging

from engine.domain.clock_commands import ClockTasks
from engine.domain.errors import GridcaseError
from engine.persistence.read import tasks as task_reads
from engine.service.bus import MessageBus
from engine.service.step_clock import TasksClocked

log = logging.getLogger(__name__)


def sweep(bus: MessageBus, batch: int = 1000) -> list[TasksClocked]:
    """Record the warnings and overdues due by the clock (at most ``batch`` cases a sweep); what each case's
    command recorded. A second sweep at the same moment records nothing."""
    now = bus.deps.clock.now()
    with bus.deps.uow(read_only=True) as uow:
        case_ids = task_reads.clock_due_cases(uow.store, now, batch)
    done = []
    for case_id in case_ids:
        try:
            done.append(bus.handle(ClockTasks(case_id)))
        except GridcaseError as exc:
            log.warning("step clock, case %s: %s", case_id, exc)
    return done
