"""Nested data stays isolated, failed timers are quarantined, message starts and rollback deploys work."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fixture_types import Rows, Sql

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ScriptRejected
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


def test_in_place_edits_of_nested_data_are_stored_and_never_reach_the_caller(each_bus: MessageBus,
                                                                             events: Rows) -> None:
    start = {"info": {"tags": []}}
    ref = each_bus.handle(c.StartCase("nested_tags", start, "alice"))  # verify_state checks every step
    assert start == {"info": {"tags": []}}  # the caller's object is untouched
    submitted = {"note": "ok", "extra": {"seen": [1]}}
    ref = each_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], submitted, "bob"))
    assert submitted == {"note": "ok", "extra": {"seen": [1]}}
    log = events(ref.case_id)
    assert json.loads(log[0].data)["data"] == {"info": {"tags": []}}  # what was submitted, not later edits
    completed = [json.loads(e.data) for e in log if e.event_type == "task_completed"]
    assert completed == [{"note": "ok", "extra": {"seen": [1]}}]


def test_a_failing_timer_is_marked_failed_and_does_not_block_other_timers(bus: MessageBus, sql: Sql,
                                                                          clock: FakeClock, events: Rows) -> None:
    failing = bus.handle(c.StartCase("failing_escalation", {"hours_late": 0}, "alice"))
    inspect_at = (clock.now() + timedelta(minutes=90)).isoformat()
    other = bus.handle(c.StartCase("scheduled_inspection", {"inspect_at": inspect_at}, "alice"))
    clock.advance(hours=2)
    scheduler = TimerScheduler(bus, batch=1)  # the failing timer is due first and would take the only slot
    assert scheduler.fire_due() == ["failed"]
    assert scheduler.fire_due() == ["fired"]  # the next tick reaches the other case's timer
    (timer,) = sql("SELECT status, error FROM timers WHERE case_id = :id", id=failing.case_id)
    assert timer.status == "failed" and "ZeroDivisionError" in timer.error
    assert [e.event_type for e in events(failing.case_id)][-1] == "timer_failed"
    assert sql("SELECT status FROM timers WHERE case_id = :id", id=other.case_id)[0].status == "fired"
    assert scheduler.fire_due() == []  # nothing is retried


def test_firing_a_timer_that_fails_reports_the_script_error(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    ref = bus.handle(c.StartCase("failing_escalation", {"hours_late": 0}, "alice"))
    (timer,) = sql("SELECT id FROM timers WHERE case_id = :id", id=ref.case_id)
    clock.advance(hours=1)
    with pytest.raises(ScriptRejected, match="compute_escalation"):
        bus.handle(c.FireTimer(timer.id))
    assert bus.handle(c.FireTimer(timer.id)) == "already-fired"


def test_a_message_start_still_starts_when_waiting_events_do_not_match(bus: MessageBus, sql: Sql) -> None:
    (first,) = bus.handle(c.SendMessage("complaint", {"report_no": "R1"}, "hotline"))
    (second,) = bus.handle(c.SendMessage("complaint", {"report_no": "R2"}, "hotline", {"report_no": "R2"}))
    assert second.created and second.case_id != first.case_id
    (repeat,) = bus.handle(c.SendMessage("complaint", {"report_no": "R1"}, "hotline", {"report_no": "R1"}))
    assert repeat.case_id == first.case_id
    ready = sql("SELECT case_id, bpmn_id FROM human_tasks WHERE state = 'ready' ORDER BY case_id")
    assert [(r.case_id, r.bpmn_id) for r in ready] == [(first.case_id, "handle_repeat")]


def test_deploying_an_older_version_again_makes_it_the_newest(bus: MessageBus) -> None:
    original = (FIXTURES / "reminders.bpmn").read_text("utf-8")
    changed = original.replace("R3/PT1H", "R2/PT1H")
    (v2,) = bus.handle(c.DeployProcesses({"reminders.bpmn": changed}, "designer"))
    (v3,) = bus.handle(c.DeployProcesses({"reminders.bpmn": original}, "designer", "roll back"))
    (again,) = bus.handle(c.DeployProcesses({"reminders.bpmn": original}, "designer"))
    assert (v2.number, v2.created, v3.number, v3.created) == (2, True, 3, True)
    assert (again.number, again.created) == (3, False)
