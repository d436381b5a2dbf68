"""Replay frames: what a case looked like right after each of its audit events.

The auditor's replay page steps through a case's hash-chained event log on its BPMN diagram. For
every event this module computes, from the events up to and including it, the elements finished so
far (and how often: a count above one is a loop such as 返工 rework), the elements active at that
moment (ready human tasks and waiting timers), the active tasks already past their own due time,
who acted, what data changed, and the case deadline, warning time and light as they were then.
Evidence (``attachment_added``) gets a frame of its own that changes nothing on the diagram.

Pure: it reads event dicts (``event_type``, ``occurred_at``, ``actor``, ``actor_kind``, ``task_id``,
``bpmn_id``, ``data``) as ``engine.service.queries.case_events`` returns them, and tolerates the
fields and event types older logs lack. Which steps stop the deadline or mean 挂账 is read from the
milestones the case's process version declares (``engine.domain.milestones``), never from task ids.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.domain.milestones import AFTER_DISPOSAL, SUSPENSION, Milestones, steps_of
from engine.domain.summary import _section, light

ACTOR_DEFAULT = "person"  # rows written before the actor's kind was recorded were people's
CYCLE = "timeCycle"  # a cycle timer keeps waiting after each firing
LABELS = {
    "case_started": "case started", "task_ready": "ready", "task_claimed": "claimed", "task_unclaimed": "unclaimed",
    "task_reassigned": "reassigned", "task_force_released": "force-released",
    "task_completed": "completed", "task_cancelled": "cancelled", "timer_waiting": "timer waiting",
    "timer_fired": "timer fired", "timer_cancelled": "timer cancelled", "timer_failed": "timer failed",
    "message_received": "message received", "case_completed": "case completed", "case_migrated": "migrated",
    "data_changed": "data changed", "deadline_set": "deadline set", "deadline_moved": "deadline moved",
    "extension_granted": "extension granted", "case_suspended": "suspended", "case_resumed": "resumed",
    "case_closed": "closed", "case_voided": "voided", "attachment_added": "evidence added",
}


@dataclass
class _State:
    """The case as the events so far leave it."""

    bpmn_of: dict[str, str] = field(default_factory=dict)  # task id → BPMN id (from task_ready / timer_waiting)
    ready: dict[str, str] = field(default_factory=dict)  # ready human tasks: task id → BPMN id
    task_due: dict[str, datetime] = field(default_factory=dict)  # a ready task's own due time
    timers: dict[str, str] = field(default_factory=dict)  # waiting timers: task id → BPMN id
    cycles: set[str] = field(default_factory=set)  # task ids of cycle timers
    counts: Counter[str] = field(default_factory=Counter)  # BPMN id → times finished
    due_at: str | None = None
    warn_at: str | None = None
    suspended: bool = False
    paused: bool = False  # the deadline stopped: an after-disposal step became ready (until another one does)
    ended: bool = False
    after_disposal: frozenset[str] = frozenset()


def moment(value: Any) -> datetime | None:
    """An ISO time (or datetime) as an aware datetime; None when absent or malformed."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, str) and value:
        try:
            found = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _data(event: dict[str, Any]) -> dict[str, Any]:
    value = event.get("data")
    return value if isinstance(value, dict) else {}


def _bpmn(state: _State, event: dict[str, Any]) -> str | None:
    """The event's BPMN id, else the one its task got when it became ready (task_cancelled may lack it)."""
    found = event.get("bpmn_id")
    if found:
        return str(found)
    task_id = event.get("task_id")
    return state.bpmn_of.get(str(task_id)) if task_id else None


def _finish(state: _State, bpmn_id: str | None) -> None:
    if bpmn_id:
        state.counts[bpmn_id] += 1


def _apply_task(state: _State, kind: str, event: dict[str, Any], bpmn_id: str | None) -> None:
    task_id = str(event.get("task_id") or "")
    if kind == "task_ready" and bpmn_id:
        state.bpmn_of[task_id] = state.ready[task_id] = bpmn_id
        state.paused = bpmn_id in state.after_disposal
        due = moment(_data(event).get("due_at"))
        if due is not None:
            state.task_due[task_id] = due
    elif kind in ("task_completed", "task_cancelled"):
        state.ready.pop(task_id, None)
        state.task_due.pop(task_id, None)
        if kind == "task_completed":
            _finish(state, bpmn_id)


def _apply_timer(state: _State, kind: str, event: dict[str, Any], bpmn_id: str | None) -> None:
    task_id = str(event.get("task_id") or "")
    if kind == "timer_waiting" and bpmn_id:
        state.bpmn_of[task_id] = state.timers[task_id] = bpmn_id
        if _data(event).get("kind") == CYCLE:
            state.cycles.add(task_id)
    elif kind == "timer_fired":
        _finish(state, bpmn_id)
        if task_id not in state.cycles:
            state.timers.pop(task_id, None)
    elif kind in ("timer_cancelled", "timer_failed"):
        state.timers.pop(task_id, None)


def _apply_case(state: _State, kind: str, event: dict[str, Any]) -> None:
    data = _data(event)
    if kind == "case_started":
        started = _section(data, "data")
        state.due_at, state.warn_at = _text(started.get("due_at")), _text(started.get("warn_at"))
    elif kind == "data_changed":
        changes = _section(data, "changes")
        for path in ("due_at", "warn_at"):
            pair = changes.get(path)
            if isinstance(pair, list | tuple) and len(pair) == 2:
                setattr(state, path, _text(pair[1]))
    elif kind in ("deadline_set", "deadline_moved") and _text(data.get("after")):
        state.due_at = _text(data.get("after"))
    elif kind == "extension_granted" and _text(data.get("due_at")):
        state.due_at = _text(data.get("due_at"))
    elif kind in ("case_suspended", "case_resumed"):
        state.suspended = kind == "case_suspended"
    elif kind in ("case_closed", "case_voided"):
        state.ended = True
    elif kind == "case_completed":
        state.ended = True
        state.ready.clear()
        state.timers.clear()
        state.task_due.clear()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def apply(state: _State, event: dict[str, Any]) -> str | None:
    """Advance ``state`` by one event; the event's BPMN id (resolved through its task)."""
    kind = str(event.get("event_type") or "")
    bpmn_id = _bpmn(state, event)
    if kind.startswith("task_"):
        _apply_task(state, kind, event, bpmn_id)
    elif kind.startswith("timer_"):
        _apply_timer(state, kind, event, bpmn_id)
    elif kind == "message_received":
        _finish(state, bpmn_id)
    else:
        _apply_case(state, kind, event)
    return bpmn_id


def label(event_type: str, bpmn_id: str | None) -> str:
    """A short English label of an event (``completed · check_on_site``); pages translate their own."""
    words = LABELS.get(event_type, event_type.replace("_", " "))
    return f"{words} · {bpmn_id}" if bpmn_id else words


def _frame(state: _State, event: dict[str, Any], bpmn_id: str | None, *, closed: bool,
           suspended_steps: frozenset[str]) -> dict[str, Any]:
    now = moment(event.get("occurred_at"))
    ready = set(state.ready.values())
    suspended = state.suspended or bool(ready & suspended_steps)
    running = not (state.ended or closed or state.paused)
    due, warn = moment(state.due_at), moment(state.warn_at)
    changes = _data(event).get("changes") if event.get("event_type") == "data_changed" else None
    overdue = {b for t, b in state.ready.items() if now is not None and t in state.task_due and state.task_due[t] < now}
    return {
        "seq": event.get("seq"), "occurred_at": event.get("occurred_at"), "event_type": event.get("event_type"),
        "bpmn_id": bpmn_id, "label": label(str(event.get("event_type") or ""), bpmn_id),
        "actor": event.get("actor"), "actor_kind": event.get("actor_kind") or ACTOR_DEFAULT,
        "request_id": event.get("request_id"),
        "changes": changes if isinstance(changes, dict) else {},
        "completed": sorted(state.counts), "active": sorted(ready | set(state.timers.values())),
        "overdue": sorted(overdue), "counts": dict(sorted(state.counts.items())),
        "due_at": state.due_at, "warn_at": state.warn_at, "suspended": suspended,
        "light": light(due, warn, now, open_=running, suspended=suspended) if now is not None else None,
    }


def frames(events: list[dict[str, Any]], *, completed: bool,
           milestones: Milestones | None = None) -> list[dict[str, Any]]:
    """The case's state right after each event, in the events' order (one frame per event).

    ``completed``: the case has ended (its status is ``completed``), so its last frame shows no light
    even when the log lacks the closing events. ``milestones``: BPMN id → milestone of the case's process
    version(s) (``engine.domain.milestones.merged`` for a migrated case): a ready ``checked`` or ``closed``
    step stops the deadline (no light, until another step becomes ready, as after a rework) and a ready
    ``suspended`` step means 挂账 (grey light), for logs written before ``case_suspended``/``case_resumed``
    were recorded.
    """
    declared = milestones or {}
    after_disposal = steps_of(declared, *AFTER_DISPOSAL)
    suspended_steps = steps_of(declared, *SUSPENSION)
    state = _State(after_disposal=after_disposal)
    out = []
    last = len(events) - 1
    for index, event in enumerate(events):
        bpmn_id = apply(state, event)
        out.append(_frame(state, event, bpmn_id, closed=completed and index == last,
                          suspended_steps=suspended_steps))
    return out
