"""Hot workflows versus restoring from rows: the cold bus restores at every step, and a hot workflow is
used only while its case version still matches."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fixture_types import Problems, Rows, Sql

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ScriptRejected
from engine.service.bus import MessageBus


def overdue_path(bus: MessageBus, clock: FakeClock, sql: Sql) -> int:
    """report_handling: urgent, claimed and released, overdue, supervised, verified. Returns the case id."""
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "dept_roads"}, "alice"))
    ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 3, "description": "pit"}, "alice"))
    bus.handle(c.ClaimTask(ref.ready_tasks[0], "bob"))
    bus.handle(c.UnclaimTask(ref.ready_tasks[0], "bob"))
    clock.advance(hours=4)
    (timer,) = sql("SELECT id FROM timers WHERE case_id = :id", id=ref.case_id)
    assert bus.handle(c.FireTimer(timer.id)) == "fired"
    (supervise,) = sql("SELECT id FROM human_tasks WHERE case_id = :id AND state = 'ready'", id=ref.case_id)
    bus.handle(c.CompleteHumanTask(supervise.id, {"note": "chased"}, "sam"))
    bus.handle(c.SendMessage("verification_done", {"ok": True}, "collector", {"report_no": "R-1"}))
    return ref.case_id


@pytest.mark.parametrize(("cache_size", "hits", "misses"), [(256, 6, 0), (0, 0, 6)])
def test_workflow_source_per_step(make_bus: Callable[..., MessageBus], clock: FakeClock, sql: Sql,
                                  events: Rows, chain_problems: Problems, cache_size: int, hits: int,
                                  misses: int) -> None:
    bus = make_bus(cache_size=cache_size)
    case_id = overdue_path(bus, clock, sql)
    cache = bus.deps.workflows
    assert (cache.hits, cache.misses) == (hits, misses)  # six commands after the start each loaded the case
    assert sql("SELECT status, version FROM cases WHERE id = :id", id=case_id)[0] == ("completed", 7)
    kinds = [(e.event_type, e.bpmn_id) for e in events(case_id)]
    assert kinds[-1] == ("case_completed", None) and ("timer_fired", "dispatch_deadline") in kinds
    assert chain_problems(case_id) == []


def test_hot_workflow_is_not_used_after_another_process_changed_the_case(bus: MessageBus, cold_bus: MessageBus,
                                                                         sql: Sql, events: Rows) -> None:
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "d"}, "alice"))
    ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 1, "description": "x"}, "alice"))
    misses = bus.deps.workflows.misses
    # Another process (no shared memory) finishes the dispatch: the first process's copy is now stale.
    cold_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"team": "t1"}, "dan"))
    (delivered,) = bus.handle(c.SendMessage("verification_done", {}, "collector", {"report_no": "R-1"}))
    assert bus.deps.workflows.misses == misses + 1
    assert delivered.version == ref.version + 2
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    assert [e.event_type for e in events(ref.case_id)].count("task_completed") == 2


def test_failed_step_drops_the_hot_workflow(bus: MessageBus) -> None:
    ref = bus.handle(c.StartCase("unsafe_script", {}, "eve"))
    cache = bus.deps.workflows
    for attempt in range(3):
        with pytest.raises(ScriptRejected):
            bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {}, "eve"))
        # the first attempt used the hot copy; it half-ran, so later attempts restore from the rows
        assert (cache.hits, cache.misses) == (1, attempt)
