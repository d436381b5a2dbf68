"""Supervisor controls on the lifecycle's 立案 (file_or_void, group shift_lead): 改派 reassign and 强制释放 force
release of a claimed task — who may receive it, what is refused (nothing written), the audit events, the task lists'
rows, and replay (every case of these tests is also replayed by the conftest after the test)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from fixture_types import HumanTask, Rows, Snapshot, Sql
from lifecycle import Case, report, start
from sqlalchemy.engine import Engine

from engine.bpmn.specs import LoadedSpec
from engine.domain import commands as c
from engine.domain.audit.chain import Divergence, StoredEvent
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.domain.supervision_commands import ForceReleaseTask, ReassignTask
from engine.persistence.db import as_utc
from engine.persistence.repositories import audit as audit_store
from engine.service.audit.replay import read_case, verify_case
from engine.service.audit.run import ReplayState, replay_events
from engine.service.bus import MessageBus

PASSWORD = "a-long-test-password"


def people(bus: MessageBus) -> None:
    """Two shift leads (lead1, lead2), a dispatcher and an auditor."""
    for name, role in (("lead1", "shift_lead"), ("lead2", "shift_lead"), ("disp1", "dispatcher"),
                       ("audit1", "auditor")):
        bus.handle(c.AddUser(name, name, role, PASSWORD))


def filing_claimed(bus: MessageBus, db: Engine, holder: str = "lead1") -> tuple[Case, str]:
    """A lifecycle case at 立案 whose task ``holder`` has claimed."""
    people(bus)
    case = start(bus, db, report())
    if "verify_report" in case.ready():
        case.complete("verify_report", {"verification": {"found": True}})
    task = case.ready()["file_or_void"].id
    bus.handle(c.ClaimTask(task, holder))
    return case, task


def test_reassign_moves_the_task_to_an_eligible_account(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                       human_task: HumanTask, events: Rows, sql: Sql) -> None:
    case, task = filing_claimed(city_bus, db)
    clock.advance(minutes=5)
    ref = city_bus.handle(ReassignTask(task, "lead2", "lead1 is off sick", "super1"))
    assert ref.case_id == case.case_id
    row = human_task(task)
    assert (row.assignee, as_utc(row.claimed_at), row.state) == ("lead2", clock.now(), "ready")
    last = events(case.case_id)[-1]
    assert (last.event_type, last.task_id, last.actor) == ("task_reassigned", task, "super1")
    assert json.loads(last.data) == {"task": task, "from": "lead1", "to": "lead2", "reason": "lead1 is off sick"}
    told = sql("SELECT recipient_kind, recipient FROM notifications WHERE kind = 'task_reassigned'")
    assert [tuple(r) for r in told] == [("person", "lead2")]  # the notification hook saw the event

    with pytest.raises(ConcurrencyConflict, match="claimed by lead2"):
        city_bus.handle(c.CompleteHumanTask(task, {"filing": {"decision": "file"}}, "lead1"))
    city_bus.handle(c.CompleteHumanTask(task, {"filing": {"decision": "file"}}, "lead2"))
    assert human_task(task).completed_by == "lead2"
    assert "confirm_dispatch" in case.ready()


@pytest.mark.parametrize(("to", "match"), [("disp1", "does not work the group shift_lead"),
                                           ("audit1", "does not work the group shift_lead"),
                                           ("nobody", "does not work the group"),
                                           ("lead1", "already holds"), ("", "say whom")])
def test_reassign_to_an_ineligible_account_is_refused(city_bus: MessageBus, db: Engine, snapshot: Snapshot,
                                                       to: str, match: str) -> None:
    case, task = filing_claimed(city_bus, db)
    before = snapshot(case.case_id)
    with pytest.raises(InvalidCommand, match=match) as refused:
        city_bus.handle(ReassignTask(task, to, "rebalance", "super1"))
    assert refused.value.field == "to"
    assert snapshot(case.case_id) == before


def test_a_reason_is_required(city_bus: MessageBus, db: Engine, snapshot: Snapshot) -> None:
    case, task = filing_claimed(city_bus, db)
    before = snapshot(case.case_id)
    for command in (ReassignTask(task, "lead2", "  ", "super1"), ForceReleaseTask(task, "", "super1"),
                    ForceReleaseTask(task, "x" * 501, "super1")):
        with pytest.raises(InvalidCommand) as refused:
            city_bus.handle(command)
        assert refused.value.field == "reason"
    assert snapshot(case.case_id) == before


def test_unclaimed_or_completed_tasks_are_refused(city_bus: MessageBus, db: Engine, snapshot: Snapshot) -> None:
    case, task = filing_claimed(city_bus, db)
    city_bus.handle(c.UnclaimTask(task, "lead1"))
    before = snapshot(case.case_id)
    for command in (ReassignTask(task, "lead2", "rebalance", "super1"), ForceReleaseTask(task, "stuck", "super1")):
        with pytest.raises(InvalidCommand, match="not claimed") as refused:
            city_bus.handle(command)
        assert refused.value.field == "task_id"
    assert snapshot(case.case_id) == before

    city_bus.handle(c.CompleteHumanTask(task, {"filing": {"decision": "file"}}, "lead1", claim_if_free=True))
    before = snapshot(case.case_id)
    for command in (ReassignTask(task, "lead2", "rebalance", "super1"), ForceReleaseTask(task, "stuck", "super1")):
        with pytest.raises(ConcurrencyConflict, match="already completed"):
            city_bus.handle(command)
    assert snapshot(case.case_id) == before


def test_force_release_puts_the_task_back_in_the_queue(city_bus: MessageBus, db: Engine, clock: FakeClock,
                                                      human_task: HumanTask, events: Rows) -> None:
    case, task = filing_claimed(city_bus, db)
    clock.advance(minutes=30)
    city_bus.handle(ForceReleaseTask(task, "held overnight", "super1"))
    row = human_task(task)
    assert (row.assignee, row.claimed_at, row.state, row.candidate_group) == (None, None, "ready", "shift_lead")
    last = events(case.case_id)[-1]
    assert (last.event_type, last.actor) == ("task_force_released", "super1")
    assert json.loads(last.data) == {"task": task, "from": "lead1", "reason": "held overnight"}

    with pytest.raises(ConcurrencyConflict, match="not claimed by lead1"):
        city_bus.handle(c.UnclaimTask(task, "lead1"))
    city_bus.handle(c.ClaimTask(task, "lead2"))  # anyone of the group may take it again
    city_bus.handle(c.CompleteHumanTask(task, {"filing": {"decision": "file"}}, "lead2"))
    assert human_task(task).completed_by == "lead2"


def test_replay_follows_reassignments_and_releases(make_city_bus: Callable[..., MessageBus], db: Engine,
                                                   clock: FakeClock, events: Rows) -> None:
    bus = make_city_bus(cache_size=0)
    case, task = filing_claimed(bus, db)
    clock.advance(minutes=1)
    bus.handle(ReassignTask(task, "lead2", "rebalance", "super1"))
    clock.advance(minutes=1)
    bus.handle(ForceReleaseTask(task, "lead2 went home", "super1"))
    clock.advance(minutes=1)
    bus.handle(c.ClaimTask(task, "lead1"))
    clock.advance(minutes=1)
    bus.handle(ReassignTask(task, "lead2", "back on shift", "super1"))
    clock.advance(minutes=1)
    bus.handle(c.CompleteHumanTask(task, {"filing": {"decision": "file"}}, "lead2"))
    result = verify_case(bus.deps, case.case_id)
    assert result.verified, result.divergence and result.divergence.describe()
    kinds = [e.event_type for e in events(case.case_id) if e.task_id == task]
    assert kinds[-6:] == ["task_claimed", "task_reassigned", "task_force_released", "task_claimed",
                          "task_reassigned", "task_completed"]
    assert result.events == len(events(case.case_id))


def replayed(bus: MessageBus, case_id: int, change: Callable[[StoredEvent], StoredEvent]) -> Divergence | None:
    """Re-run the case's stored events with one changed in memory (the chain is not checked here: replay's own
    comparison is what is under test)."""
    deps = bus.deps
    with deps.uow(read_only=True) as uow:
        record = read_case(uow, case_id)
        version_ids = audit_store.version_ids_by_number(uow.store, record.process_id)
        for version_id in {e.process_version_id for e in record.events}:
            deps.spec(uow, version_id)

        def specs(version_id: int) -> LoadedSpec:
            loaded: LoadedSpec = deps.spec(uow, version_id)
            return loaded

        state = ReplayState(specs, version_ids, deps.script_helpers, deps.script_limits)
        return replay_events([change(e) for e in record.events], state)


def test_replay_checks_the_holder_a_supervisor_moved(make_city_bus: Callable[..., MessageBus], db: Engine) -> None:
    bus = make_city_bus()
    case, task = filing_claimed(bus, db)
    bus.handle(ReassignTask(task, "lead2", "rebalance", "super1"))
    bus.handle(c.CompleteHumanTask(task, {"filing": {"decision": "file"}}, "lead2"))
    assert replayed(bus, case.case_id, lambda e: e) is None

    def other_from(e: StoredEvent) -> StoredEvent:
        if e.event_type != "task_reassigned":
            return e
        return replace(e, data=e.data.replace('"from":"lead1"', '"from":"lead9"'))

    found = replayed(bus, case.case_id, other_from)
    assert found is not None and (found.event_type, found.field, found.expected) == ("task_reassigned", "data.from",
                                                                                     "lead1")

    def old_holder_completes(e: StoredEvent) -> StoredEvent:
        return replace(e, actor="lead1") if e.command == "complete_task" and e.task_id == task else e

    found = replayed(bus, case.case_id, old_holder_completes)
    assert found is not None and (found.field, found.expected, found.found) == ("actor", "lead2", "lead1")
