"""Claiming human tasks and the optimistic version check, on report_handling's dispatch step."""

from __future__ import annotations

import json

import pytest
from fixture_types import HumanTask, Rows, Snapshot

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, InvalidCommand, NotFound
from engine.persistence.db import as_utc
from engine.service.bus import MessageBus
from engine.service.handlers import CaseRef


def dispatch_ready(bus: MessageBus) -> CaseRef:
    """A report_handling case whose dispatch_normal task is ready."""
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "dept_roads"}, "alice"))
    return bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 1, "description": "litter"}, "alice"))


def test_claim_guards_completion_until_unclaimed(each_bus: MessageBus, clock: FakeClock, human_task: HumanTask,
                                                 events: Rows, snapshot: Snapshot) -> None:
    ref = dispatch_ready(each_bus)
    (dispatch,) = ref.ready_tasks
    clock.advance(minutes=3)
    claimed = each_bus.handle(c.ClaimTask(dispatch, "bob"))
    assert (claimed.case_id, claimed.version, claimed.ready_tasks) == (ref.case_id, ref.version + 1, ())
    row = human_task(dispatch)
    assert (row.assignee, as_utc(row.claimed_at), row.state) == ("bob", clock.now(), "ready")
    last = events(ref.case_id)[-1]
    assert (last.event_type, last.task_id, last.actor, json.loads(last.data)) == (
        "task_claimed", dispatch, "bob", {})

    before = snapshot(ref.case_id)
    with pytest.raises(ConcurrencyConflict, match="claimed by bob"):
        each_bus.handle(c.CompleteHumanTask(dispatch, {"team": "t1"}, "carol"))
    with pytest.raises(ConcurrencyConflict, match="already claimed by bob"):
        each_bus.handle(c.ClaimTask(dispatch, "carol"))
    with pytest.raises(ConcurrencyConflict, match="not claimed by carol"):
        each_bus.handle(c.UnclaimTask(dispatch, "carol"))
    assert snapshot(ref.case_id) == before

    unclaimed = each_bus.handle(c.UnclaimTask(dispatch, "bob"))
    assert unclaimed.version == claimed.version + 1
    row = human_task(dispatch)
    assert (row.assignee, row.claimed_at) == (None, None)
    assert (events(ref.case_id)[-1].event_type, events(ref.case_id)[-1].actor) == ("task_unclaimed", "bob")

    each_bus.handle(c.ClaimTask(dispatch, "carol"))
    done = each_bus.handle(c.CompleteHumanTask(dispatch, {"team": "t1"}, "carol"))
    assert done.version == unclaimed.version + 2
    row = human_task(dispatch)
    assert (row.state, row.assignee, row.completed_by) == ("completed", "carol", "carol")
    kinds = [e.event_type for e in events(ref.case_id)]
    assert kinds[-4:] == ["task_unclaimed", "task_claimed", "task_completed", "data_changed"]


def test_stale_expected_version_is_a_conflict(each_bus: MessageBus, snapshot: Snapshot,
                                              human_task: HumanTask) -> None:
    ref = dispatch_ready(each_bus)
    (dispatch,) = ref.ready_tasks
    claimed = each_bus.handle(c.ClaimTask(dispatch, "bob", expected_version=ref.version))
    before = snapshot(ref.case_id)

    for stale in (c.CompleteHumanTask(dispatch, {}, "bob", expected_version=ref.version),
                  c.UnclaimTask(dispatch, "bob", expected_version=ref.version),
                  c.ClaimTask(dispatch, "bob", expected_version=claimed.version + 1)):
        with pytest.raises(ConcurrencyConflict) as conflict:
            each_bus.handle(stale)
        assert conflict.value.field == "expected_version"
        assert f"is at version {claimed.version}" in conflict.value.message
        assert snapshot(ref.case_id) == before

    done = each_bus.handle(c.CompleteHumanTask(dispatch, {}, "bob", expected_version=claimed.version))
    assert done.version == claimed.version + 1 and human_task(dispatch).state == "completed"


def test_finished_or_unknown_tasks_cannot_be_claimed(each_bus: MessageBus, snapshot: Snapshot) -> None:
    ref = each_bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "d"}, "alice"))
    (register,) = ref.ready_tasks
    ref = each_bus.handle(c.CompleteHumanTask(register, {"severity": 1, "description": "x"}, "alice"))
    before = snapshot(ref.case_id)
    with pytest.raises(ConcurrencyConflict, match="already completed"):
        each_bus.handle(c.ClaimTask(register, "bob"))
    with pytest.raises(ConcurrencyConflict, match="already completed"):
        each_bus.handle(c.CompleteHumanTask(register, {}, "alice"))
    with pytest.raises(NotFound) as missing:
        each_bus.handle(c.ClaimTask("00000000-0000-0000-0000-000000000000", "bob"))
    assert missing.value.field == "task_id"
    with pytest.raises(InvalidCommand) as bad:
        each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], ["not", "an", "object"], "bob"))  # type: ignore[arg-type]
    assert bad.value.field == "data"
    assert snapshot(ref.case_id) == before
