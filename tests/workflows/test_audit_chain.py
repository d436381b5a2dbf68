"""The audit log: per-case hash chain from the genesis hash, gapless seq, head stored on the case row."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fixture_types import Problems, Rows, Sql
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.clock import FakeClock
from engine.domain.errors import ScriptRejected
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

ALL_EVENT_TYPES = {ev.CASE_STARTED, ev.CASE_COMPLETED, ev.TASK_READY, ev.TASK_CLAIMED, ev.TASK_UNCLAIMED,
                   ev.TASK_COMPLETED, ev.TASK_CANCELLED, ev.TIMER_WAITING, ev.TIMER_FIRED, ev.TIMER_CANCELLED,
                   ev.MESSAGE_RECEIVED, ev.DATA_CHANGED}


def run_every_process(bus: MessageBus, clock: FakeClock, sql: Sql) -> None:
    """Drive each fixture process along a path that writes many kinds of events."""
    report = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "dept_roads"}, "alice"))
    report = bus.handle(c.CompleteHumanTask(report.ready_tasks[0], {"severity": 4, "description": "pit"}, "alice"))
    bus.handle(c.ClaimTask(report.ready_tasks[0], "bob"))
    bus.handle(c.UnclaimTask(report.ready_tasks[0], "bob"))
    early = bus.handle(c.StartCase("reminders", {}, "carol"))
    bus.handle(c.StartCase("reminders", {}, "carol"))
    bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": "2026-11-02T10:00:00+08:00"}, "ann"))
    unsafe = bus.handle(c.StartCase("unsafe_script", {}, "eve"))
    with pytest.raises(ScriptRejected):
        bus.handle(c.CompleteHumanTask(unsafe.ready_tasks[0], {}, "eve"))
    loop = bus.handle(c.StartCase("round_loop", {}, "walt"))
    for again in (True, True, False):
        loop = bus.handle(c.CompleteHumanTask(loop.ready_tasks[0], {"again": again}, "walt"))
    clock.advance(minutes=30)
    bus.handle(c.CompleteHumanTask(early.ready_tasks[0], {}, "carol"))
    scheduler = TimerScheduler(bus)
    for _ in range(5):
        clock.advance(hours=1)
        scheduler.fire_due()
    (supervise,) = sql("SELECT id FROM human_tasks WHERE bpmn_id = 'supervise_overdue' AND state = 'ready'")
    bus.handle(c.CompleteHumanTask(supervise.id, {"note": "chased"}, "sam"))
    bus.handle(c.SendMessage("verification_done", {"ok": True}, "collector", {"report_no": "R-1"}))


def test_every_case_chain_verifies_from_genesis(each_bus: MessageBus, clock: FakeClock, sql: Sql,
                                                chain_problems: Problems) -> None:
    run_every_process(each_bus, clock, sql)
    cases = sql("SELECT id, last_event_seq, last_event_hash FROM cases ORDER BY id")
    assert len(cases) == 6
    for case in cases:
        assert chain_problems(case.id) == [], f"case {case.id}"
        rows = sql("SELECT seq, prev_hash, hash FROM case_events WHERE case_id = :id ORDER BY seq", id=case.id)
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0].prev_hash == ev.GENESIS_HASH
        assert (case.last_event_seq, case.last_event_hash) == (rows[-1].seq, rows[-1].hash)
    kinds = {r.event_type for r in sql("SELECT DISTINCT event_type FROM case_events")}
    assert kinds == ALL_EVENT_TYPES  # the chain check above covered every kind of audit row


def test_events_carry_the_command_time_actor_and_version(bus: MessageBus, clock: FakeClock, sql: Sql,
                                                         events: Rows) -> None:
    started_at = clock.now()
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "d"}, "alice"))
    completed_at = clock.advance(minutes=7)
    bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 1, "description": "x"}, "bob"))
    (version_id,) = [r.id for r in sql("SELECT id FROM process_versions WHERE process_id = 'report_handling'")]
    rows = sql("SELECT seq, occurred_at, actor, actor_kind, event_type, command, process_version_id"
               " FROM case_events WHERE case_id = :id ORDER BY seq", id=ref.case_id)
    assert [(r.seq, as_utc(r.occurred_at), r.actor, r.event_type, r.command) for r in rows] == [
        (1, started_at, "alice", ev.CASE_STARTED, ev.START_CASE_COMMAND),
        (2, started_at, "alice", ev.TASK_READY, None),
        (3, started_at, "alice", ev.DATA_CHANGED, None),
        (4, completed_at, "bob", ev.TASK_COMPLETED, ev.COMPLETE_TASK_COMMAND),
        (5, completed_at, "bob", ev.TASK_READY, None),
        (6, completed_at, "bob", ev.DATA_CHANGED, None)]
    assert {r.actor_kind for r in rows} == {"person"}
    assert {r.process_version_id for r in rows} == {version_id}
    assert json.loads(events(ref.case_id)[3].data) == {"severity": 1, "description": "x"}
    assert json.loads(events(ref.case_id)[5].data)["changes"]["severity"] == [None, 1]


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE case_events SET data = replace(data, '4', '5') WHERE seq = 4", "seq 4: hash"),
    ("UPDATE case_events SET actor = 'mallory' WHERE seq = 2", "seq 2: hash"),
    ("UPDATE case_events SET actor_kind = 'scheduler' WHERE seq = 2", "seq 2: hash"),
    ("UPDATE case_events SET command = NULL WHERE seq = 4", "seq 4: hash"),
    ("DELETE FROM case_events WHERE seq = 2", "seq 3: seq"),
    ("UPDATE cases SET last_event_hash = 'x' || substr(last_event_hash, 2)", "seq None: cases.last_event_seq"),
])
@pytest.mark.tampers
def test_tampering_is_detected(bus: MessageBus, db: Engine, chain_problems: Problems, statement: str,
                               expected: str) -> None:
    ref = bus.handle(c.StartCase("report_handling", {"report_no": "R-1", "department": "d"}, "alice"))
    bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": 4, "description": "pit"}, "alice"))
    assert chain_problems(ref.case_id) == []
    with db.begin() as conn:
        conn.execute(sa.text(statement))
    problems = chain_problems(ref.case_id)
    assert any(p.startswith(expected) for p in problems), problems
