"""Guards that refuse a step and write nothing: the script sandbox (unsafe_script) and the depth limit
(round_loop)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fixture_types import HumanTask, Problems, Rows, Snapshot, Sql, TaskData

from engine.domain import commands as c
from engine.domain.errors import ScriptRejected, WorkflowTooDeep
from engine.service.bus import MessageBus
from engine.service.handlers import CaseRef


def test_sandbox_refuses_the_escape_and_nothing_is_written(each_bus: MessageBus, sql: Sql, snapshot: Snapshot,
                                                           human_task: HumanTask, task_data: TaskData) -> None:
    ref = each_bus.handle(c.StartCase("unsafe_script", {}, "alice"))
    (review,) = ref.ready_tasks
    before = snapshot(ref.case_id)

    for _attempt in range(2):  # a later retry restores the case from its rows and is refused the same way
        with pytest.raises(ScriptRejected) as refused:
            each_bus.handle(c.CompleteHumanTask(review, {"looks_fine": True}, "alice"))
        assert refused.value.message.startswith("try_escape: ")
        assert "refused by the sandbox" in refused.value.message.lower()
        assert '"__class__" is an invalid attribute name' in refused.value.message
        assert snapshot(ref.case_id) == before

    (case,) = sql("SELECT status, version FROM cases WHERE id = :id", id=ref.case_id)
    assert (case.status, case.version) == ("running", ref.version)
    assert (human_task(review).state, human_task(review).completed_by) == ("ready", None)
    assert task_data(ref.case_id, "first_review") == [{}]
    assert task_data(ref.case_id, "try_escape") == [{}]  # the script never ran, so "secret" was never set


def test_refused_step_keeps_the_task_claimable(each_bus: MessageBus, snapshot: Snapshot,
                                               human_task: HumanTask) -> None:
    ref = each_bus.handle(c.StartCase("unsafe_script", {}, "alice"))
    (review,) = ref.ready_tasks
    with pytest.raises(ScriptRejected):
        each_bus.handle(c.CompleteHumanTask(review, {}, "alice"))
    claimed = each_bus.handle(c.ClaimTask(review, "bob", expected_version=ref.version))
    assert claimed.version == ref.version + 1 and human_task(review).assignee == "bob"
    before = snapshot(ref.case_id)
    with pytest.raises(ScriptRejected):
        each_bus.handle(c.CompleteHumanTask(review, {}, "bob", expected_version=claimed.version))
    assert snapshot(ref.case_id) == before


def run_rounds(bus: MessageBus, ref: CaseRef, rounds: int) -> CaseRef:
    for _ in range(rounds):
        (work,) = ref.ready_tasks
        ref = bus.handle(c.CompleteHumanTask(work, {"again": True}, "walt"))
    return ref


def test_rounds_repeat_until_the_data_says_stop(each_bus: MessageBus, sql: Sql, events: Rows,
                                                chain_problems: Problems) -> None:
    ref = each_bus.handle(c.StartCase("round_loop", {}, "walt"))
    ref = run_rounds(each_bus, ref, 5)
    (work,) = ref.ready_tasks
    rounds = sql("SELECT state FROM human_tasks WHERE case_id = :id ORDER BY created_at, id", id=ref.case_id)
    assert sorted(r.state for r in rounds) == ["completed"] * 5 + ["ready"]
    ref = each_bus.handle(c.CompleteHumanTask(work, {"again": False}, "walt"))
    assert ref.ready_tasks == ()
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
    log = [(e.event_type, e.bpmn_id) for e in events(ref.case_id)]
    assert log.count(("task_completed", "work_round")) == 6
    assert log.count(("task_ready", "work_round")) == 6
    assert log[-1] == ("case_completed", None)
    assert chain_problems(ref.case_id) == []


@pytest.mark.parametrize("cache_size", [256, 0])
def test_depth_guard_refuses_the_round_that_goes_too_deep(make_bus: Callable[..., MessageBus], sql: Sql,
                                                          snapshot: Snapshot, human_task: HumanTask,
                                                          cache_size: int) -> None:
    bus = make_bus(depth_limit=60, cache_size=cache_size)
    ref = bus.handle(c.StartCase("round_loop", {}, "walt"))
    rounds = 0
    for _ in range(40):
        (work,) = ref.ready_tasks
        before = snapshot(ref.case_id)
        try:
            ref = bus.handle(c.CompleteHumanTask(work, {"again": True}, "walt"))
            rounds += 1
        except WorkflowTooDeep as exc:
            error = exc
            break
    else:
        pytest.fail("40 rounds never reached depth 60")
    assert rounds > 5, "the guard must not trip on a short loop"
    found = re.search(r"reached depth (\d+) \(limit 60\)", error.message)
    assert found is not None and int(found.group(1)) >= 60, error.message
    assert snapshot(ref.case_id) == before
    assert human_task(work).state == "ready"
    (case,) = sql("SELECT status, version FROM cases WHERE id = :id", id=ref.case_id)
    assert (case.status, case.version) == ("running", ref.version)

    with pytest.raises(WorkflowTooDeep):  # the same round is refused again on retry
        bus.handle(c.CompleteHumanTask(work, {"again": True}, "walt"))
    assert snapshot(ref.case_id) == before
    done = bus.handle(c.CompleteHumanTask(work, {"again": False}, "walt"))  # leaving the loop stays possible
    assert done.version == ref.version + 1
    assert sql("SELECT status FROM cases WHERE id = :id", id=ref.case_id)[0].status == "completed"
