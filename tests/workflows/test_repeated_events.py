"""Non-interrupting events fire on every occurrence, as BPMN says, not only the first
(tests/fixtures/events/repeated_events.bpmn): an escalation event subprocess thrown to twice starts twice,
message- and signal-started event subprocesses start once per message or signal, and non-interrupting escalation,
message and signal boundary events catch every occurrence while their activity runs. Each path runs hot and restored
from the rows at every command (the stored state compared with the live workflow after each), and replays."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from fixture_types import Sql

from engine.domain import commands as c
from engine.domain.errors import NotFound
from engine.domain.event_commands import ThrowSignal
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"


@pytest.fixture(params=["hot", "cold"])
def events_bus(request: pytest.FixtureRequest, make_bus: Callable[..., MessageBus]) -> MessageBus:
    bus = make_bus() if request.param == "hot" else make_bus(cache_size=0)
    bus.handle(c.DeployProcesses(read_sources([EVENTS / "repeated_events.bpmn"]), "tests"))
    return bus


def tasks(sql: Sql, case_id: int) -> Counter[tuple[str, str]]:
    return Counter((r.bpmn_id, r.state) for r in sql("SELECT bpmn_id, state FROM human_tasks WHERE case_id = :id",
                                                      id=case_id))


def ready(sql: Sql, case_id: int, bpmn_id: str) -> list[str]:
    return [str(r.id) for r in sql("SELECT id FROM human_tasks WHERE case_id = :id AND bpmn_id = :b AND state = "
                                   "'ready' ORDER BY id", id=case_id, b=bpmn_id)]


def waits(sql: Sql, case_id: int) -> list[str]:
    return sorted(r.name for r in sql("SELECT name FROM message_waits WHERE case_id = :id", id=case_id))


def status(sql: Sql, case_id: int) -> str:
    return str(sql("SELECT status FROM cases WHERE id = :id", id=case_id)[0].status)


def complete(bus: MessageBus, sql: Sql, case_id: int, bpmn_id: str, data: dict[str, object] | None = None) -> None:
    bus.handle(c.CompleteHumanTask(ready(sql, case_id, bpmn_id)[0], data or {}, "bob"))


def test_an_escalation_event_subprocess_starts_on_every_escalation(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("stall_patrol", {}, "alice")).case_id
    for round_no in (1, 2, 3):
        complete(events_bus, sql, case_id, "inspect_stall", {"blocks": round_no != 2, "more": round_no < 3})
    assert tasks(sql, case_id) == {("inspect_stall", "completed"): 3, ("notify_street_office", "ready"): 2}
    for task in ready(sql, case_id, "notify_street_office"):
        assert status(sql, case_id) == "running"
        events_bus.handle(c.CompleteHumanTask(task, {}, "carol"))
    assert status(sql, case_id) == "completed"


def test_an_escalation_handled_before_the_next_one_starts_it_again(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("stall_patrol", {}, "alice")).case_id
    complete(events_bus, sql, case_id, "inspect_stall", {"blocks": True, "more": True})
    complete(events_bus, sql, case_id, "notify_street_office")
    complete(events_bus, sql, case_id, "inspect_stall", {"blocks": True, "more": False})
    assert tasks(sql, case_id) == {("inspect_stall", "completed"): 2, ("notify_street_office", "completed"): 1,
                                   ("notify_street_office", "ready"): 1}
    complete(events_bus, sql, case_id, "notify_street_office")
    assert status(sql, case_id) == "completed"


def test_a_non_interrupting_escalation_boundary_catches_every_escalation(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("bin_round", {"round_no": "R1"}, "alice")).case_id
    for overflow, more in ((True, True), (True, True), (False, False)):
        complete(events_bus, sql, case_id, "empty_bin", {"overflow": overflow, "more": more})
    assert tasks(sql, case_id) == {("empty_bin", "completed"): 3, ("order_bigger_bin", "ready"): 2}
    assert waits(sql, case_id) == []  # the activity is over: its message boundary no longer waits
    for task in ready(sql, case_id, "order_bigger_bin"):
        events_bus.handle(c.CompleteHumanTask(task, {}, "carol"))
    assert status(sql, case_id) == "completed"


def test_a_non_interrupting_message_boundary_catches_every_message(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("bin_round", {"round_no": "R2"}, "alice")).case_id
    for reason in ("holiday", "broken lid"):
        assert waits(sql, case_id) == ["owner_excuse"]
        events_bus.handle(c.SendMessage("owner_excuse", {"reason": reason}, "owner", {"round_no": "R2"}))
    assert tasks(sql, case_id) == {("empty_bin", "ready"): 1, ("file_excuse", "ready"): 2}
    complete(events_bus, sql, case_id, "empty_bin", {"overflow": False, "more": False})
    with pytest.raises(NotFound):  # the activity is over: nothing waits for an excuse any more
        events_bus.handle(c.SendMessage("owner_excuse", {"reason": "late"}, "owner", {"round_no": "R2"}))
    for task in ready(sql, case_id, "file_excuse"):
        events_bus.handle(c.CompleteHumanTask(task, {}, "carol"))
    assert status(sql, case_id) == "completed"


def test_message_and_signal_event_subprocesses_start_on_every_occurrence(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("drain_works", {"works_no": "W1"}, "alice")).case_id
    assert waits(sql, case_id) == ["resident_complaint", "signal:heavy_rain"]
    for complaint in ("noise", "smell", "mud"):
        events_bus.handle(c.SendMessage("resident_complaint", {"what": complaint}, "resident", {"works_no": "W1"}))
        assert waits(sql, case_id) == ["resident_complaint", "signal:heavy_rain"]  # armed again
    complete(events_bus, sql, case_id, "answer_resident")
    for _ in range(2):
        assert events_bus.handle(ThrowSignal("heavy_rain", {}, "admin")).caught == [case_id]
    assert tasks(sql, case_id) == {("clear_drain", "ready"): 1, ("answer_resident", "ready"): 2,
                                   ("answer_resident", "completed"): 1, ("secure_trench", "ready"): 2}
    complete(events_bus, sql, case_id, "clear_drain")
    assert waits(sql, case_id) == []  # the main flow ended: no new start waits
    for bpmn_id in ("answer_resident", "answer_resident", "secure_trench", "secure_trench"):
        assert status(sql, case_id) == "running"
        complete(events_bus, sql, case_id, bpmn_id)
    assert status(sql, case_id) == "completed"


def test_two_escalations_in_one_step_are_each_caught(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("lamp_survey", {}, "alice")).case_id
    assert tasks(sql, case_id) == {("sign_survey", "ready"): 1, ("repair_lamp", "ready"): 2}  # the boundary, twice
    complete(events_bus, sql, case_id, "sign_survey")  # then the process throws twice: its event subprocess
    assert tasks(sql, case_id) == {("sign_survey", "completed"): 1, ("repair_lamp", "ready"): 2,
                                   ("order_lamp", "ready"): 2}
    for bpmn_id in ("repair_lamp", "repair_lamp", "order_lamp", "order_lamp"):
        assert status(sql, case_id) == "running"
        complete(events_bus, sql, case_id, bpmn_id)
    assert status(sql, case_id) == "completed"


def test_a_non_interrupting_signal_boundary_catches_every_signal(events_bus: MessageBus, sql: Sql) -> None:
    case_id = events_bus.handle(c.StartCase("lamp_survey", {}, "alice")).case_id
    for _ in range(2):
        assert waits(sql, case_id) == ["signal:street_flooded"]
        assert events_bus.handle(ThrowSignal("street_flooded", {}, "admin")).caught == [case_id]
    assert tasks(sql, case_id)[("put_up_flood_sign", "ready")] == 2
    complete(events_bus, sql, case_id, "sign_survey")
    assert waits(sql, case_id) == [] and events_bus.handle(ThrowSignal("street_flooded", {}, "admin")).caught == []
    for bpmn_id in ("put_up_flood_sign", "put_up_flood_sign", "repair_lamp", "repair_lamp", "order_lamp",
                    "order_lamp"):
        assert status(sql, case_id) == "running"
        complete(events_bus, sql, case_id, bpmn_id)
    assert status(sql, case_id) == "completed"
