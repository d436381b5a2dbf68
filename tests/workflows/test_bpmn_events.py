"""The BPMN events of issue 17, one fixture per kind (tests/fixtures/events): event-based gateways, errors, signals,
escalations and interrupting event subprocesses. Every path runs hot and cold (restored from the rows at each
command), the stored state is compared with the live workflow after every command, time moves by the fake
clock, and every case replays at the end (conftest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_types import Rows, Sql, TaskData

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import NotFound, ScriptRejected
from engine.domain.event_commands import ThrowSignal
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"


@pytest.fixture(params=["hot", "cold"])
def events_bus(request: pytest.FixtureRequest, make_bus: Callable[..., MessageBus]) -> MessageBus:
    bus = make_bus() if request.param == "hot" else make_bus(cache_size=0)
    bus.handle(c.DeployProcesses(read_sources([EVENTS]), "tests"))
    return bus


def human(sql: Sql, case_id: int) -> dict[str, str]:
    return {r.bpmn_id: r.state for r in sql("SELECT bpmn_id, state FROM human_tasks WHERE case_id = :id", id=case_id)}


def ready(sql: Sql, case_id: int, bpmn_id: str) -> str:
    (row,) = sql("SELECT id FROM human_tasks WHERE case_id = :id AND bpmn_id = :b AND state = 'ready'",
                 id=case_id, b=bpmn_id)
    return str(row.id)


def timers(sql: Sql, case_id: int) -> list[tuple[str, str]]:
    return [(r.bpmn_id, r.status) for r in sql("SELECT bpmn_id, status FROM timers WHERE case_id = :id", id=case_id)]


def waits(sql: Sql, case_id: int) -> list[str]:
    return sorted(r.name for r in sql("SELECT name FROM message_waits WHERE case_id = :id", id=case_id))


def status(sql: Sql, case_id: int) -> str:
    return str(sql("SELECT status FROM cases WHERE id = :id", id=case_id)[0].status)


# -- event-based gateway ------------------------------------------------------------------------------------------

def test_event_gateway_message_first_cancels_the_timer(events_bus: MessageBus, sql: Sql, clock: FakeClock,
                                                       events: Rows) -> None:
    ref = events_bus.handle(c.StartCase("await_owner_reply", {"notice_no": "N1"}, "alice"))
    assert timers(sql, ref.case_id) == [("two_days_passed", "pending")]
    assert waits(sql, ref.case_id) == ["owner_reply"]
    clock.advance(hours=5)
    reply = {"notice_no": "N1", "answer": "fixed"}
    events_bus.handle(c.SendMessage("owner_reply", reply, "owner", {"notice_no": "N1"}))
    assert timers(sql, ref.case_id) == [("two_days_passed", "cancelled")]
    assert waits(sql, ref.case_id) == []
    assert human(sql, ref.case_id) == {"review_reply": "ready"}
    clock.advance(days=3)
    assert TimerScheduler(events_bus).fire_due() == []  # the losing timer never fires
    kinds = [(e.event_type, e.bpmn_id) for e in events(ref.case_id)]
    assert ("message_received", "owner_replied") in kinds and ("timer_cancelled", "two_days_passed") in kinds
    assert ("timer_fired", "two_days_passed") not in kinds


def test_event_gateway_timer_first_and_the_late_message_no_longer_correlates(events_bus: MessageBus, sql: Sql,
                                                                             clock: FakeClock) -> None:
    ref = events_bus.handle(c.StartCase("await_owner_reply", {"notice_no": "N2"}, "alice"))
    clock.advance(days=2, seconds=1)
    assert TimerScheduler(events_bus).fire_due() == ["fired"]
    assert timers(sql, ref.case_id) == [("two_days_passed", "fired")]
    assert waits(sql, ref.case_id) == []
    assert human(sql, ref.case_id) == {"enforce_notice": "ready"}
    with pytest.raises(NotFound):
        events_bus.handle(c.SendMessage("owner_reply", {"notice_no": "N2"}, "owner", {"notice_no": "N2"}))
    events_bus.handle(c.CompleteHumanTask(ready(sql, ref.case_id, "enforce_notice"), {}, "bob"))
    assert status(sql, ref.case_id) == "completed"


def test_event_gateway_message_correlates_on_its_own_case(events_bus: MessageBus, sql: Sql) -> None:
    first = events_bus.handle(c.StartCase("await_owner_reply", {"notice_no": "A"}, "alice"))
    second = events_bus.handle(c.StartCase("await_owner_reply", {"notice_no": "B"}, "alice"))
    events_bus.handle(c.SendMessage("owner_reply", {"notice_no": "B"}, "owner", {"notice_no": "B"}))
    assert human(sql, second.case_id) == {"review_reply": "ready"}
    assert human(sql, first.case_id) == {} and waits(sql, first.case_id) == ["owner_reply"]


# -- errors --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("permit", "handled_by"), [
    ("ok", {"start_works": "ready"}),
    ("expired", {"notify_refusal": "ready"}),  # error end event, caught by its code (not also by the catch-all)
    ("unsafe", {"inspect_site": "ready"}),  # a script's throw_error without a boundary of its code: the catch-all
    ("boom", {"inspect_site": "ready"}),
])
def test_errors_are_caught_by_code_else_by_the_catch_all(events_bus: MessageBus, sql: Sql, permit: str,
                                                         handled_by: dict[str, str]) -> None:
    ref = events_bus.handle(c.StartCase("permit_check", {"permit": permit}, "alice"))
    assert human(sql, ref.case_id) == handled_by
    (task,) = handled_by
    events_bus.handle(c.CompleteHumanTask(ready(sql, ref.case_id, task), {}, "bob"))
    assert status(sql, ref.case_id) == "completed"


def test_an_error_end_event_hands_its_variable_to_the_boundary(events_bus: MessageBus, sql: Sql,
                                                               task_data: TaskData) -> None:
    ref = events_bus.handle(c.StartCase("permit_check", {"permit": "expired"}, "alice"))
    assert "refusal" in task_data(ref.case_id, "notify_refusal")[0]  # the error's variableName


def test_an_uncaught_error_fails_the_step_naming_code_and_element(events_bus: MessageBus, sql: Sql) -> None:
    ref = events_bus.handle(c.StartCase("unguarded_check", {}, "alice"))
    task = ready(sql, ref.case_id, "review_first")
    with pytest.raises(ScriptRejected, match=r"apply_unguarded_rules: BPMN error 'NO_HANDLER' was not caught"):
        events_bus.handle(c.CompleteHumanTask(task, {}, "bob"))
    assert human(sql, ref.case_id) == {"review_first": "ready"}  # nothing written


# -- signals -------------------------------------------------------------------------------------------------------

def test_a_thrown_signal_reaches_every_waiting_case_and_starts_processes(events_bus: MessageBus, sql: Sql,
                                                                         clock: FakeClock,
                                                                         task_data: TaskData) -> None:
    works = [events_bus.handle(c.StartCase("street_works", {}, "alice")) for _ in range(2)]
    storm = events_bus.handle(c.StartCase("storm_watch", {}, "alice"))
    assert all(waits(sql, w.case_id) == ["signal:emergency"] for w in works)
    clock.advance(minutes=5)
    events_bus.handle(c.CompleteHumanTask(storm.ready_tasks[0], {"level": 3, "area": "north"}, "bob"))
    for w in works:
        assert human(sql, w.case_id) == {"dig_trench": "cancelled", "secure_site": "ready"}
        assert task_data(w.case_id, "secure_site")[0]["emergency"] == {"level": 3, "area": "north"}
    (response,) = sql("SELECT id FROM cases WHERE process_id = 'emergency_response'")
    assert human(sql, response.id) == {"coordinate_response": "ready"}
    assert sql("SELECT delivered_at IS NOT NULL AS done, last_error FROM outbox")[0] == (1, None)


def test_a_signal_end_event_and_an_intermediate_catch(events_bus: MessageBus, sql: Sql) -> None:
    works = events_bus.handle(c.StartCase("street_works", {}, "alice"))
    (broadcast,) = [events_bus.handle(ThrowSignal("emergency", {"level": 1}, "admin"))]
    assert broadcast.caught == [works.case_id] and len(broadcast.started) == 1
    events_bus.handle(c.CompleteHumanTask(ready(sql, works.case_id, "secure_site"), {}, "bob"))
    assert waits(sql, works.case_id) == ["signal:all_clear"]
    response = broadcast.started[0]
    events_bus.handle(c.CompleteHumanTask(ready(sql, response, "coordinate_response"), {}, "carol"))  # all clear
    assert status(sql, response) == "completed"
    assert status(sql, works.case_id) == "completed"


def test_a_signal_nobody_waits_for_reaches_nobody(events_bus: MessageBus) -> None:
    result = events_bus.handle(ThrowSignal("all_clear", {}, "admin"))
    assert (result.caught, result.started) == ([], [])


# -- escalations ---------------------------------------------------------------------------------------------------

def test_non_interrupting_escalation_keeps_the_subprocess_running(events_bus: MessageBus, sql: Sql) -> None:
    ref = events_bus.handle(c.StartCase("repair_escalation", {}, "alice"))
    events_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"scope": "large"}, "bob"))
    assert human(sql, ref.case_id) == {"assess_damage": "completed", "fix_road": "ready", "review_repair": "ready"}
    events_bus.handle(c.CompleteHumanTask(ready(sql, ref.case_id, "fix_road"), {}, "bob"))
    events_bus.handle(c.CompleteHumanTask(ready(sql, ref.case_id, "review_repair"), {}, "sup"))
    assert status(sql, ref.case_id) == "completed"


def test_interrupting_escalation_end_event_ends_the_subprocess(events_bus: MessageBus, sql: Sql) -> None:
    ref = events_bus.handle(c.StartCase("repair_escalation", {}, "alice"))
    events_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"scope": "city"}, "bob"))
    assert human(sql, ref.case_id) == {"assess_damage": "completed", "city_takes_over": "ready"}


def test_no_escalation_no_boundary(events_bus: MessageBus, sql: Sql) -> None:
    ref = events_bus.handle(c.StartCase("repair_escalation", {}, "alice"))
    events_bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"scope": "small"}, "bob"))
    assert human(sql, ref.case_id) == {"assess_damage": "completed", "fix_road": "ready"}


# -- interrupting event subprocesses -------------------------------------------------------------------------------

def start_closure(bus: MessageBus, sql: Sql, closure_no: str, jam: bool = False) -> int:
    ref = bus.handle(c.StartCase("road_closure", {"closure_no": closure_no, "jam": jam}, "alice"))
    assert timers(sql, ref.case_id) == [("three_days_passed", "pending")]
    assert waits(sql, ref.case_id) == ["closure_cancelled", "signal:emergency"]
    return ref.case_id


def test_without_an_event_the_case_completes_and_its_event_subprocesses_end(events_bus: MessageBus,
                                                                            sql: Sql) -> None:
    case_id = start_closure(events_bus, sql, "c0")
    events_bus.handle(c.CompleteHumanTask(ready(sql, case_id, "plan_closure"), {}, "bob"))
    events_bus.handle(c.CompleteHumanTask(ready(sql, case_id, "close_road"), {}, "bob"))
    assert status(sql, case_id) == "completed"
    assert timers(sql, case_id) == [("three_days_passed", "cancelled")] and waits(sql, case_id) == []


def test_signal_started_event_subprocess_interrupts(events_bus: MessageBus, sql: Sql) -> None:
    case_id = start_closure(events_bus, sql, "c1")
    events_bus.handle(ThrowSignal("emergency", {}, "admin"))
    assert human(sql, case_id) == {"plan_closure": "cancelled", "reopen_for_emergency": "ready"}
    assert timers(sql, case_id) == [("three_days_passed", "cancelled")] and waits(sql, case_id) == []
    events_bus.handle(c.CompleteHumanTask(ready(sql, case_id, "reopen_for_emergency"), {}, "bob"))
    assert status(sql, case_id) == "completed"


def test_timer_started_event_subprocess_interrupts(events_bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    case_id = start_closure(events_bus, sql, "c2")
    clock.advance(days=3, seconds=1)
    assert TimerScheduler(events_bus).fire_due() == ["fired"]
    assert human(sql, case_id) == {"plan_closure": "cancelled", "escalate_delay": "ready"}
    assert waits(sql, case_id) == []
    with pytest.raises(NotFound):  # the cancellation no longer correlates
        events_bus.handle(c.SendMessage("closure_cancelled", {"closure_no": "c2"}, "bob", {"closure_no": "c2"}))


def test_message_started_event_subprocess_interrupts(events_bus: MessageBus, sql: Sql, task_data: TaskData,
                                                    clock: FakeClock) -> None:
    case_id = start_closure(events_bus, sql, "c3")
    other = start_closure(events_bus, sql, "c4")
    events_bus.handle(c.SendMessage("closure_cancelled", {"closure_no": "c3"}, "bob", {"closure_no": "c3"}))
    assert status(sql, case_id) == "completed" and human(sql, case_id) == {"plan_closure": "cancelled"}
    assert timers(sql, case_id) == [("three_days_passed", "cancelled")]
    assert status(sql, other) == "running" and waits(sql, other) == ["closure_cancelled", "signal:emergency"]
    clock.advance(days=4)
    assert TimerScheduler(events_bus).fire_due() == ["fired"]  # only the other case's timer is left


def test_error_started_event_subprocess_interrupts(events_bus: MessageBus, sql: Sql, task_data: TaskData) -> None:
    case_id = start_closure(events_bus, sql, "c5", jam=True)
    events_bus.handle(c.CompleteHumanTask(ready(sql, case_id, "plan_closure"), {}, "bob"))
    assert human(sql, case_id) == {"plan_closure": "completed", "divert_traffic": "ready"}
    assert timers(sql, case_id) == [("three_days_passed", "cancelled")] and waits(sql, case_id) == []
    events_bus.handle(c.CompleteHumanTask(ready(sql, case_id, "divert_traffic"), {}, "bob"))
    assert status(sql, case_id) == "completed"
    assert json.loads(json.dumps(task_data(case_id, "divert_traffic")[0]))["jam"] is True
