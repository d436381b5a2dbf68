"""Re-running a case from its recorded inputs and comparing what the engine does with what was stored.

The first event of every step names the command that began it (``events.*_COMMAND``). Replay applies
the same command with the recorded input — start data, form data and actor, message payload, the
time a timer fired, a migration — on the pinned process version with the clock frozen at the recorded
time, builds the step's records with the handlers' own code, and compares them event by event. Task
ids are random per run, so replay pairs its ids with the stored ones as they first appear.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.bpmn.budget import ScriptLimits
from engine.bpmn.environment import ENVIRONMENT_ANSWERED, answering_step, with_recorded
from engine.bpmn.migration import check_migration, migrate
from engine.bpmn.runner import WorkflowRunner
from engine.bpmn.specs import LoadedSpec
from engine.domain import events as ev
from engine.domain.audit.chain import Divergence, StoredEvent
from engine.domain.audit.facts import data_changes
from engine.domain.errors import GridcaseError
from engine.domain.views import StepRecord
from engine.service.handlers import with_payload
from engine.service.steps import step_records


class ReplayStopped(Exception):
    """Replay cannot go on: carries the divergence to report."""

    def __init__(self, divergence: Divergence) -> None:
        super().__init__(divergence.describe())
        self.divergence = divergence


@dataclass
class ReplayState:
    """What replay knows between steps: the workflow, the id pairing, claims and the version in force."""

    specs: Callable[[int], LoadedSpec]  # version id → spec
    version_ids: Mapping[int, int]  # version number → version id
    helpers: Mapping[str, Any]
    limits: ScriptLimits | None = None  # the scripts' budget, as the live engine has it (None: the default)
    runner: WorkflowRunner | None = None
    version_id: int = 0
    completed: bool = False
    stored_id: dict[str, str] = field(default_factory=dict)  # replay task id → stored task id
    replay_id: dict[str, str] = field(default_factory=dict)  # stored task id → replay task id
    claims: dict[str, str] = field(default_factory=dict)  # stored task id → who holds it


def split_steps(events: list[StoredEvent]) -> list[list[StoredEvent]]:
    """The events grouped by the command that wrote them (a step starts at an event naming its command)."""
    steps: list[list[StoredEvent]] = []
    for event in events:
        if event.command is not None:
            steps.append([event])
        elif not steps:
            raise ReplayStopped(Divergence(event.seq, event.event_type, "command", "the command of the step", None,
                                           "the event names no command: it was recorded before replay existed"))
        else:
            steps[-1].append(event)
    return steps


def replay_events(events: list[StoredEvent], state: ReplayState) -> Divergence | None:
    """Re-run every step; the first divergence from the stored events, or None when they all match."""
    state.helpers = with_recorded(state.helpers, kept_answers(events)[1])  # a helper this engine lacks
    try:
        for step in split_steps(events):
            step, recorded = kept_answers(step)
            with answering_step(recorded):  # the environment answers the step had, not today's
                produced = _apply(step, state)
            _compare(step, produced, state)
    except ReplayStopped as stop:
        return stop.divergence
    return None


def kept_answers(step: list[StoredEvent]) -> tuple[list[StoredEvent], list[list[Any]]]:
    """The step without its ``environment_answered`` events, and the answers they kept (the hash chain covers them;
    a step written before answers were kept has none and asks the helpers live)."""
    kept = [e for e in step if e.event_type == ENVIRONMENT_ANSWERED]
    answers = [a for e in kept for a in _data(e).get("answers") or [] if isinstance(a, list) and len(a) == 3]
    return [e for e in step if e.event_type != ENVIRONMENT_ANSWERED], answers


def _data(event: StoredEvent) -> dict[str, Any]:
    value = json.loads(event.data)
    return value if isinstance(value, dict) else {}


def _stop(event: StoredEvent, field_name: str, expected: Any, found: Any, reason: str) -> ReplayStopped:
    return ReplayStopped(Divergence(event.seq, event.event_type, field_name, expected, found, reason))


def _runner(state: ReplayState, first: StoredEvent) -> WorkflowRunner:
    if state.runner is None:
        raise _stop(first, "command", ev.START_CASE_COMMAND, first.command, "the case has no start event")
    return state.runner


def _apply(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    first = step[0]
    action = _ACTIONS.get(first.command or "") or _job_action(first.command or "")
    if action is None:
        raise _stop(first, "command", sorted(_ACTIONS), first.command, "unknown command")
    try:
        return action(step, state)
    except GridcaseError as exc:
        raise _stop(first, "outcome", "the recorded events", f"{type(exc).__name__}: {exc.message}",
                    "the command fails when re-run") from exc


def _job_action(command: str) -> Callable[[list[StoredEvent], ReplayState], list[StepRecord]] | None:
    from engine.service.audit.run_jobs import JOB_ACTIONS  # they build on this module's helpers
    from engine.service.audit.run_supervision import SUPERVISION_ACTIONS

    return JOB_ACTIONS.get(command) or SUPERVISION_ACTIONS.get(command)


def _start(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    first = step[0]
    if state.runner is not None or first.event_type != ev.CASE_STARTED:
        raise _stop(first, "event_type", ev.CASE_STARTED, first.event_type, "a case starts once, with case_started")
    recorded = _data(first)
    state.version_id = first.process_version_id
    loaded = state.specs(first.process_version_id)
    runner = state.runner = WorkflowRunner.start(loaded, recorded.get("data") or {}, helpers=state.helpers,
                                                 limits=state.limits)
    if recorded.get("start_message"):
        runner.deliver(recorded["start_message"], recorded.get("data") or {}, first.occurred_at)
    outcome = runner.advance(first.occurred_at)
    with_payload(outcome, recorded.get("data") or {})
    return step_records(outcome, False, [StepRecord(ev.CASE_STARTED, data=recorded)])


def _only(step: list[StoredEvent], event_type: str) -> StoredEvent:
    found = [e for e in step if e.event_type == event_type]
    if len(found) != 1 or found[0].task_id is None:
        raise _stop(step[0], "event_type", f"one {event_type} in the step", len(found), "the step's input is missing")
    return found[0]


def _replay_task(state: ReplayState, event: StoredEvent) -> str:
    task_id = state.replay_id.get(event.task_id or "")
    if task_id is None:
        raise _stop(event, "task_id", "a task the replay has offered", event.task_id, "no such task in the replay")
    return task_id


def _complete(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    event = _only(step, ev.TASK_COMPLETED)
    holder = state.claims.get(event.task_id or "")
    if holder is not None and holder != event.actor:
        raise _stop(event, "actor", holder, event.actor, "completed by someone other than who had claimed it")
    runner = _runner(state, event)
    runner.complete(_replay_task(state, event), _data(event), event.occurred_at)
    state.claims.pop(event.task_id or "", None)
    return step_records(runner.advance(event.occurred_at), state.completed)


def _claim(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    event = step[0]
    runner = _runner(state, event)
    task_id = _replay_task(state, event)
    runner.human_task(task_id)  # must still be ready
    holder = state.claims.get(event.task_id or "")
    recorded = _data(event)
    if event.event_type == ev.TASK_CLAIMED:
        if holder is not None:
            raise _stop(event, "actor", None, holder, "claimed while someone else held the task")
        # The system may claim for a person (a case imported with its legacy assignee): data.assignee holds it.
        on_behalf = recorded.get("assignee") if event.actor_kind == "system" else None
        state.claims[event.task_id or ""] = on_behalf if isinstance(on_behalf, str) and on_behalf else event.actor
    else:
        if holder != event.actor:
            raise _stop(event, "actor", holder, event.actor, "given back by someone who did not hold it")
        del state.claims[event.task_id or ""]
    return [StepRecord(event.event_type, task_id, None, recorded)]


def _deliver(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    first = step[0]  # a timer already due when the message came fired first: its timer_fired leads the step
    recorded = _data(next((e for e in step if e.event_type == ev.MESSAGE_RECEIVED), first))
    name, payload = recorded.get("message"), recorded.get("payload") or {}
    runner = _runner(state, first)
    received = [e for e in step if e.event_type == ev.MESSAGE_RECEIVED and _data(e).get("message") == name]
    targets = tuple(_waiting_task(runner, state, e, str(name)) for e in received)
    runner.deliver(str(name), payload, first.occurred_at, targets)
    outcome = runner.advance(first.occurred_at)
    with_payload(outcome, payload)
    return step_records(outcome, state.completed)


def _waiting_task(runner: WorkflowRunner, state: ReplayState, event: StoredEvent, name: str) -> str:
    """The replay's waiting event for a stored ``message_received``: by id once paired, else by BPMN id
    (waiting events write no event of their own, so their ids first appear on receipt)."""
    if event.task_id in state.replay_id:
        return state.replay_id[event.task_id]
    candidates = [tid for tid, bpmn_id in runner.waiting_for(name)
                  if bpmn_id == event.bpmn_id and tid not in state.stored_id]
    if len(candidates) != 1:
        raise _stop(event, "bpmn_id", f"one event waiting for {name!r} at {event.bpmn_id}", len(candidates),
                    "the replay does not wait for this message there")
    return candidates[0]


def _fire(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    first = step[0]
    return step_records(_runner(state, first).advance(first.occurred_at), state.completed)


def _migrate(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    first = step[0]
    recorded = _data(first)
    target = state.version_ids.get(recorded.get("to_version", -1))
    if target is None:
        raise _stop(first, "data.to_version", "a deployed version", recorded.get("to_version"), "no such version")
    runner = _runner(state, first)
    new_loaded = state.specs(target)
    check = check_migration(runner.workflow, new_loaded)
    if not check.safe:
        raise _stop(first, "outcome", "a safe migration", "; ".join(check.reasons), "the migration is refused")
    migrate(runner, new_loaded, first.occurred_at)
    state.version_id = target
    return step_records(runner.advance(first.occurred_at), state.completed, [StepRecord(ev.CASE_MIGRATED,
                                                                                        data=recorded)])


def _timer_failure(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    first = step[0]
    trial = _runner(state, first).copy()  # a failed step changes nothing: try it on a copy
    try:
        trial.advance(first.occurred_at)
    except GridcaseError as exc:
        return [StepRecord(ev.TIMER_FAILED, state.replay_id.get(first.task_id or ""), None, {"error": str(exc)})]
    raise _stop(first, "outcome", _data(first).get("error"), "the timer fires", "the recorded failure does not recur")


EVIDENCE_FIELDS = ("sha256", "content_type", "size", "filename")


def _evidence(step: list[StoredEvent], state: ReplayState) -> list[StepRecord]:
    """Evidence is no workflow step: nothing is re-run. The event stands alone, names its file, and on a case
    that had closed is an addendum with a note (the rule the upload enforces); an open case takes no addendum."""
    first = step[0]
    _runner(state, first)  # evidence belongs to a case that has started
    if first.event_type != ev.ATTACHMENT_ADDED:
        raise _stop(first, "event_type", ev.ATTACHMENT_ADDED, first.event_type, "an upload records its evidence")
    recorded = _data(first)
    missing = [name for name in EVIDENCE_FIELDS if name not in recorded]
    if missing:
        raise _stop(first, f"data.{missing[0]}", "the file's " + missing[0], None, "the evidence is not described")
    addendum = recorded.get("addendum") is True
    if state.completed != addendum:
        reason = ("evidence added to a closed case without an addendum" if state.completed
                  else "an addendum to a case that was still open")
        raise _stop(first, "data.addendum", state.completed, recorded.get("addendum"), reason)
    if addendum and not str(recorded.get("note") or "").strip():
        raise _stop(first, "data.note", "why the addendum was added", recorded.get("note"), "an addendum says why")
    return [StepRecord(ev.ATTACHMENT_ADDED, data=recorded)]


_ACTIONS: dict[str, Callable[[list[StoredEvent], ReplayState], list[StepRecord]]] = {
    ev.START_CASE_COMMAND: _start, ev.COMPLETE_TASK_COMMAND: _complete, ev.CLAIM_TASK_COMMAND: _claim,
    ev.UNCLAIM_TASK_COMMAND: _claim, ev.DELIVER_MESSAGE_COMMAND: _deliver, ev.FIRE_TIMER_COMMAND: _fire,
    ev.MIGRATE_CASE_COMMAND: _migrate, ev.TIMER_FAILURE_COMMAND: _timer_failure,
    ev.UPLOAD_ATTACHMENT_COMMAND: _evidence,
}


def _compare(step: list[StoredEvent], produced: list[StepRecord], state: ReplayState) -> None:
    first = step[0]
    for index, record in enumerate(produced):
        if index >= len(step):
            raise _stop(step[-1], "events", record.event_type, None,
                        f"the replay writes {len(produced)} events in this step, the log has {len(step)}")
        _compare_event(step[index], record, first, state)
    if len(step) > len(produced):
        extra = step[len(produced)]
        raise _stop(extra, "events", None, extra.event_type,
                    f"the log has {len(step)} events in this step, the replay writes {len(produced)}")
    if produced and produced[-1].event_type == ev.CASE_COMPLETED:
        state.completed = True


def _compare_event(stored: StoredEvent, record: StepRecord, first: StoredEvent, state: ReplayState) -> None:
    for name, expected, found in (("event_type", record.event_type, stored.event_type),
                                  ("bpmn_id", record.bpmn_id, stored.bpmn_id),
                                  ("occurred_at", first.occurred_at, stored.occurred_at),
                                  ("actor", first.actor, stored.actor),
                                  ("actor_kind", first.actor_kind, stored.actor_kind),
                                  ("request_id", first.request_id, stored.request_id),  # one request per step
                                  ("process_version_id", state.version_id, stored.process_version_id)):
        if expected != found:
            raise _stop(stored, name, expected, found, "the stored event differs from the replay")
    _pair_task(stored, record, state)
    expected_data = ev.canonical_json(record.data)
    if expected_data != stored.data:
        changes = data_changes(json.loads(expected_data), json.loads(stored.data))
        path, (expected, found) = next(iter(changes.items())) if changes else ("", (expected_data, stored.data))
        raise _stop(stored, f"data.{path}".rstrip("."), expected, found, "the stored data differs from the replay")


def _pair_task(stored: StoredEvent, record: StepRecord, state: ReplayState) -> None:
    if record.task_id is None or stored.task_id is None:
        if record.task_id != stored.task_id:
            raise _stop(stored, "task_id", record.task_id, stored.task_id, "the stored event differs from the replay")
        return
    paired = state.stored_id.get(record.task_id)
    if paired is None and stored.task_id not in state.replay_id:
        state.stored_id[record.task_id] = stored.task_id
        state.replay_id[stored.task_id] = record.task_id
    elif paired != stored.task_id:
        raise _stop(stored, "task_id", paired, stored.task_id, "the event names a different task than the replay")
