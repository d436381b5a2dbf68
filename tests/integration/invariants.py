"""Checks shared by the reliability tests: what must hold in a gridcase database at any moment.

Each check reads the database directly (plain SQL) and, where it needs the workflow, restores it the
way a fresh process would (a new bus with no workflow cache).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.bpmn.timers import timer_due_at
from engine.domain.audit.chain import chain_problems
from engine.domain.clock import FakeClock
from engine.domain.events import TIMER_FIRED
from engine.persistence.db import as_utc
from engine.persistence.repositories import audit as audit_store
from engine.persistence.uow import UnitOfWork, command_scope
from engine.service.steps import load_runner

TABLES = ("process_versions", "cases", "case_events", "workflow_tasks", "task_data", "human_tasks", "timers",
          "message_waits")


def rows(engine: Engine, statement: str, **params: object) -> list[sa.Row[Any]]:
    """Run a read query and return every row."""
    with engine.connect() as conn:
        return list(conn.execute(sa.text(statement), params))


def snapshot(engine: Engine) -> dict[str, object]:
    """Row counts of every engine table plus the mutable columns a command could touch."""
    state: dict[str, object] = {"counts": {t: rows(engine, f"SELECT COUNT(*) FROM {t}")[0][0] for t in TABLES}}
    state["cases"] = sorted(tuple(r) for r in rows(
        engine, "SELECT id, version, status, last_event_seq, last_event_hash, workflow_json FROM cases"))
    state["human_tasks"] = sorted(tuple(r) for r in rows(engine, "SELECT id, state, assignee FROM human_tasks"))
    state["timers"] = sorted(tuple(r) for r in rows(engine, "SELECT id, status, fire_count FROM timers"))
    state["workflow_tasks"] = sorted(tuple(r) for r in rows(
        engine, "SELECT case_id, task_id, state, data_hash, internal_data FROM workflow_tasks"))
    return state


def check_hash_chains(engine: Engine) -> int:
    """Recompute every case's audit chain from its rows (``engine.domain.audit.chain``, the one implementation
    replay uses); returns how many events were checked."""
    checked = 0
    with UnitOfWork(engine, read_only=True) as uow:
        for case_id in audit_store.case_ids(uow.store):
            head = audit_store.case_head(uow.store, case_id)
            assert head is not None
            events = audit_store.stored_events(uow.store, case_id)
            problems = [p.describe() for p in chain_problems(events, head[:2])]
            assert problems == [], f"case {case_id}: {problems}"
            checked += len(events)
    return checked


def check_timers_fired_once(engine: Engine) -> None:
    """No timer fired twice: one timer_fired event and fire_count 1 exactly for fired non-cycle timers."""
    fired_events: dict[str, int] = {}
    for r in rows(engine, "SELECT task_id, COUNT(*) AS n FROM case_events WHERE event_type = :t GROUP BY task_id",
                  t=TIMER_FIRED):
        fired_events[r.task_id] = r.n
    for t in rows(engine, "SELECT id, task_id, kind, status, fire_count FROM timers"):
        if t.kind == "cycle":
            continue
        events = fired_events.get(t.task_id, 0)
        assert events <= 1 and t.fire_count <= 1, f"timer {t.id} fired {events} times (fire_count {t.fire_count})"
        fired = t.status == "fired"
        assert (t.fire_count == 1) == fired and (events == 1) == fired, (
            f"timer {t.id}: status {t.status}, fire_count {t.fire_count}, {events} timer_fired events")


def check_projections_restore(engine: Engine) -> int:
    """Every case restores from its rows alone, and its projections equal what the workflow says.

    Ready human tasks, pending timers (with due times) and message waits must be exactly the restored
    workflow's ready manual tasks, waiting timer events and waiting message events; the case status
    must say completed exactly when the workflow is. Returns how many cases were checked.
    """
    bus = bootstrap(engine, FakeClock(), cache_size=0)
    cases = rows(engine, "SELECT id, status FROM cases ORDER BY id")
    ready = _grouped(engine, "SELECT case_id, id FROM human_tasks WHERE state = 'ready'")
    timers = _grouped(engine, "SELECT case_id, task_id, due_at FROM timers WHERE status = 'pending'")
    waits = _grouped(engine, "SELECT case_id, task_id FROM message_waits")
    for case in cases:
        with command_scope(), bus.deps.uow() as uow:  # locks the case, as a command would
            runner = load_runner(bus.deps, uow, uow.store.lock_case(case.id))
        workflow = runner.workflow
        tasks = workflow.get_tasks()
        live_ready = {str(t.id) for t in tasks if t.state == TaskState.READY and t.task_spec.manual}
        live_timers = {(str(t.id), timer_due_at(t)[1]) for t in tasks  # type: ignore[index]
                       if t.state == TaskState.WAITING and _defines(t, TimerEventDefinition)}
        live_waits = {str(t.id) for t in tasks if t.state == TaskState.WAITING and _defines(t, MessageEventDefinition)}
        assert {r[0] for r in ready.get(case.id, [])} == live_ready, f"case {case.id}: human_tasks differ"
        assert {(r[0], as_utc(r[1])) for r in timers.get(case.id, [])} == live_timers, f"case {case.id}: timers"
        assert {r[0] for r in waits.get(case.id, [])} == live_waits, f"case {case.id}: message_waits differ"
        assert (case.status == "completed") == bool(workflow.completed), f"case {case.id}: status {case.status}"
    return len(cases)


def _defines(task: Any, kind: type) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), kind)


def _grouped(engine: Engine, statement: str) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for r in rows(engine, statement):
        grouped.setdefault(r[0], []).append(tuple(r)[1:])
    return grouped


def check_all(engine: Engine) -> None:
    """Every database-wide invariant at once."""
    check_hash_chains(engine)
    check_timers_fired_once(engine)
    check_projections_restore(engine)
