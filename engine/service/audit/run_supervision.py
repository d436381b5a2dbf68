"""Replay of supervisors' task controls (``engine.service.audit.run``'s actions): 改派 reassign and 强制释放 force
release change no workflow state, only who holds a task. Replay checks that the task is still ready in the re-run
workflow, that the event's ``from`` is the holder replay knows, and moves the holder as the live command did — so a
later completion by the new holder replays, and one by the old holder stops it."""

from __future__ import annotations

from collections.abc import Callable

from engine.domain import events as ev
from engine.domain.audit.chain import StoredEvent
from engine.domain.views import StepRecord
from engine.service.audit.run import ReplayState, _data, _replay_task, _runner, _stop


def _change_holder(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    event = step[0]
    if event.event_type not in (ev.TASK_REASSIGNED, ev.TASK_FORCE_RELEASED):
        raise _stop(event, "event_type", ev.TASK_REASSIGNED, event.event_type, "the step's event is missing")
    runner = _runner(state, event)
    task_id = _replay_task(state, event)
    runner.human_task(task_id)  # must still be ready
    recorded = _data(event)
    holder = state.claims.get(event.task_id or "")
    if holder is None or recorded.get("from") != holder:
        raise _stop(event, "data.from", holder, recorded.get("from"), "taken from someone who did not hold the task")
    if event.event_type == ev.TASK_REASSIGNED:
        to = recorded.get("to")
        if not isinstance(to, str) or not to or to == holder:
            raise _stop(event, "data.to", "another account", to, "a reassignment names the new holder")
        state.claims[event.task_id or ""] = to
    else:
        del state.claims[event.task_id or ""]
    return [StepRecord(event.event_type, task_id, None, recorded)]


SUPERVISION_ACTIONS: dict[str, Callable[[list[StoredEvent], ReplayState], list[StepRecord]]] = {
    ev.REASSIGN_TASK_COMMAND: _change_holder,
    ev.FORCE_RELEASE_TASK_COMMAND: _change_holder,
}
