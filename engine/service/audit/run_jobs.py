"""Replay of external-worker job steps and of operators' incident steps (``engine.service.audit.run``'s actions).

A job's completion is the step's input the way a task's form data is: replay completes the waiting service task with
the recorded variables (or throws the recorded BPMN error) at the recorded time and compares what the engine does.
A job out of retries and an operator's retry or resolution change no workflow state: replay checks that the event
names a task it has seen and stands alone, as the live command wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.domain import events as ev
from engine.domain.audit.chain import StoredEvent
from engine.domain.views import StepRecord
from engine.service.audit.run import ReplayState, _data, _only, _replay_task, _runner, _stop
from engine.service.steps import step_records


def _complete_job(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    event = _only(step, ev.JOB_COMPLETED)
    runner = _runner(state, event)
    recorded = _data(event)
    task_id = _replay_task(state, event)
    runner.complete_job(task_id, _object(recorded.get("variables")), event.occurred_at)
    done = StepRecord(ev.JOB_COMPLETED, task_id, event.bpmn_id, recorded)
    return step_records(runner.advance(event.occurred_at), state.completed, [done])


def _throw_job_error(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    event = _only(step, ev.JOB_BPMN_ERROR)
    runner = _runner(state, event)
    recorded = _data(event)
    task_id = _replay_task(state, event)
    runner.throw_job_error(task_id, str(recorded.get("code")), _object(recorded.get("variables")), event.occurred_at)
    thrown = StepRecord(ev.JOB_BPMN_ERROR, task_id, event.bpmn_id, recorded)
    return step_records(runner.advance(event.occurred_at), state.completed, [thrown])


def _standalone(expected: tuple[str, ...]) -> Callable[[list[StoredEvent], ReplayState], list[StepRecord]]:
    """A step of one event that changes no workflow state: the event, on a task replay has seen (if it names one)."""

    def replay(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
        first = step[0]
        _runner(state, first)
        if first.event_type not in expected:
            raise _stop(first, "event_type", " or ".join(expected), first.event_type, "the step's event is missing")
        task_id = _replay_task(state, first) if first.task_id is not None else None
        return [StepRecord(first.event_type, task_id, first.bpmn_id, _data(first))]

    return replay


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


JOB_ACTIONS: dict[str, Callable[[list[StoredEvent], ReplayState], list[StepRecord]]] = {
    ev.COMPLETE_JOB_COMMAND: _complete_job,
    ev.THROW_JOB_ERROR_COMMAND: _throw_job_error,
    ev.JOB_FAILURE_COMMAND: _standalone((ev.JOB_FAILED,)),
    ev.RETRY_INCIDENT_COMMAND: _standalone((ev.INCIDENT_RETRIED,)),
    ev.RESOLVE_INCIDENT_COMMAND: _standalone((ev.INCIDENT_RESOLVED,)),
    # the step clock's warnings and overdues (engine.service.step_clock): one event a step, on a task replay offered
    ev.CLOCK_TASKS_COMMAND: _standalone((ev.TASK_WARNED, ev.TASK_OVERDUE)),
    # a report voided as a duplicate of this case (city.duplicates.linking): one event, no workflow state
    ev.LINK_DUPLICATE_COMMAND: _standalone((ev.DUPLICATE_LINKED,)),
    # a census sweep's check, finding or watched hazard (city.campaigns): one event, no workflow state
    ev.RECORD_SWEEP_COMMAND: _standalone((ev.SWEEP_CHECK_RECORDED, ev.CAMPAIGN_FINDING_RECORDED,
                                          ev.WATCHED_HAZARD_UPDATED)),
    # a waste case found near a decoration works without a removal (city.decoration): one event, no workflow state
    ev.LINK_DECORATION_CASE_COMMAND: _standalone((ev.DECORATION_CASE_LINKED,)),
    # a transfer to enforcement, and the enforcement case's result (city.enforcement): one event, no workflow state
    ev.RECORD_ENFORCEMENT_COMMAND: _standalone((ev.ENFORCEMENT_TRANSFERRED, ev.ENFORCEMENT_CONCLUDED)),
    # an assessment inspection's item recorded (city.assessment): one event, no workflow state
    ev.RECORD_ASSESSMENT_ITEM_COMMAND: _standalone((ev.ASSESSMENT_ITEM_RECORDED,)),
}
