"""The deployed emergency model (workflows/emergency_event.bpmn, process emergency_event, 应急指挥): a declaration
refused naming the field, the assembly acknowledged in time and checked in, not acknowledged → escalated to the
leader and the commander and still waited for, ended by the commander and by the period's end. Every command is
checked against the stored state (the serializer round trip) and every case replayed after the test (the conftest).

Each called person is a case of their own (workflows/assembly_call.bpmn), so a step changes one call: every test runs
with the workflow cache and restored from the rows at every step (``cache_size=0``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from emergency_support import DISPATCHERS, add_people, calls, declaration, ready, rows, send_notifications
from lifecycle import cst, fire_due
from sqlalchemy.engine import Engine

from city.emergency import commands as ec
from engine.domain.clock import FakeClock
from engine.domain.errors import InvalidCommand
from engine.domain.forms import FieldsRejected
from engine.service.bus import MessageBus

CALLED = {*DISPATCHERS, "lead1"}


@pytest.fixture(params=["cached", "restored"])
def city_bus(make_city_bus: Callable[..., MessageBus], request: pytest.FixtureRequest) -> MessageBus:
    """The city's processes with the workflow cache, or restored from the rows at every step."""
    return make_city_bus() if request.param == "cached" else make_city_bus(cache_size=0)


def declare(bus: MessageBus, db: Engine, clock: FakeClock) -> int:
    clock.set(cst(2, 9))
    add_people(bus)
    result = bus.handle(declaration(clock.now()))
    return int(result["id"])


def test_declared_called_acknowledged_checked_in_and_ended_by_the_commander(
        city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    emergency_id = declare(city_bus, db, clock)
    (row,) = rows(db, "SELECT * FROM emergencies WHERE id = :id", id=emergency_id)
    assert (row.kind, row.level, row.state, row.commander, row.ack_within_minutes) == (
        "typhoon", "II", "active", "chief1", 20)
    assert json.loads(row.area_json) == {"districts": ["350602"], "streets": []}
    assert set(calls(db, emergency_id)) == CALLED
    assert calls(db, emergency_id)["lead1"].leader == "chief1"
    assert ready(db, emergency_id) == [("end_emergency", "person:chief1")]  # people are told first
    assert send_notifications(city_bus) == len(CALLED)  # each call case tells its person
    notes = rows(db, "SELECT recipient_kind, recipient, urgency FROM notifications WHERE kind = 'assembly'")
    assert sorted((r.recipient_kind, r.recipient, r.urgency) for r in notes) == sorted(
        ("person", name, "urgent") for name in CALLED)
    assert ("acknowledge_assembly", "person:disp01") in ready(db, emergency_id)
    # the person task group: the acknowledge task made ready tells its group person:disp01 (the notification hook)
    told = rows(db, "SELECT recipient_kind, recipient FROM notifications WHERE kind = 'task_assigned'"
                    " AND recipient = 'person:disp01'")
    assert [(r.recipient_kind, r.recipient) for r in told] == [("group", "person:disp01")]
    assert all(c.notified_at is not None and c.state == "called" for c in calls(db, emergency_id).values())

    clock.advance(timedelta(minutes=5))
    city_bus.handle(ec.AcknowledgeAssembly(emergency_id, "disp01"))
    assert calls(db, emergency_id)["disp01"].state == "acknowledged"
    assert ("check_in_assembly", "person:disp01") in ready(db, emergency_id)
    clock.advance(timedelta(minutes=10))
    city_bus.handle(ec.CheckInAssembly(emergency_id, 117.651, 24.512, "disp01"))
    call = calls(db, emergency_id)["disp01"]
    assert (call.state, call.check_in_lon, call.check_in_lat) == ("checked_in", 117.651, 24.512)
    with pytest.raises(InvalidCommand):
        city_bus.handle(ec.CheckInAssembly(emergency_id, 117.651, 24.512, "disp01"))  # done already

    city_bus.handle(ec.EndEmergency(emergency_id, "chief1", summary="台风过境"))
    (row,) = rows(db, "SELECT state, ended_at FROM emergencies WHERE id = :id", id=emergency_id)
    assert row.state == "ended" and row.ended_at is not None
    assert ready(db, emergency_id) == []  # the open calls are closed with the emergency
    (case,) = rows(db, "SELECT status FROM cases WHERE id = :id", id=emergency_id)
    assert case.status == "completed"


def test_not_acknowledged_in_time_is_escalated_to_leader_and_commander_then_acknowledged(
        city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    emergency_id = declare(city_bus, db, clock)
    send_notifications(city_bus)
    city_bus.handle(ec.AcknowledgeAssembly(emergency_id, "disp01"))
    clock.advance(timedelta(minutes=19))
    assert fire_due(city_bus) == []
    clock.advance(timedelta(minutes=1))
    assert len(fire_due(city_bus)) == len(CALLED) - 1  # disp01 acknowledged in time
    send_notifications(city_bus)
    states = {name: call.state for name, call in calls(db, emergency_id).items()}
    assert states == {"disp01": "acknowledged", "disp02": "escalated", "disp03": "escalated", "lead1": "escalated"}
    notes = rows(db, "SELECT recipient, data FROM notifications WHERE kind = 'assembly' ORDER BY id")
    escalations = [(r.recipient, json.loads(r.data)["username"]) for r in notes if json.loads(r.data).get("escalated")]
    assert sorted(escalations) == sorted([("lead1", "disp02"), ("chief1", "disp02"), ("lead1", "disp03"),
                                          ("chief1", "disp03"), ("chief1", "lead1")])
    assert ("acknowledge_assembly", "person:disp02") in ready(db, emergency_id)  # still waited for
    city_bus.handle(ec.AcknowledgeAssembly(emergency_id, "disp02"))
    call = calls(db, emergency_id)["disp02"]
    assert call.state == "acknowledged" and call.escalated_at is not None and call.acknowledged_at is not None


def test_the_period_end_ends_the_emergency(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    emergency_id = declare(city_bus, db, clock)
    send_notifications(city_bus)
    clock.advance(timedelta(minutes=20))  # the scheduler fires the timers as they come due
    fire_due(city_bus)
    send_notifications(city_bus)
    clock.advance(timedelta(days=2) - timedelta(minutes=20))
    assert len(fire_due(city_bus)) == 1
    send_notifications(city_bus)
    (row,) = rows(db, "SELECT state FROM emergencies WHERE id = :id", id=emergency_id)
    assert row.state == "ended"
    assert ready(db, emergency_id) == []


def test_another_emergencys_end_leaves_the_calls_open(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    first = declare(city_bus, db, clock)
    second = int(city_bus.handle(declaration(clock.now(), kind="flood", name="洪水 Flood"))["id"])
    send_notifications(city_bus)
    city_bus.handle(ec.AcknowledgeAssembly(second, "disp02"))
    city_bus.handle(ec.EndEmergency(first, "chief1"))  # its signal reaches every call: each checks the emergency
    assert ready(db, first) == []
    assert ("check_in_assembly", "person:disp02") in ready(db, second)
    assert ("acknowledge_assembly", "person:disp01") in ready(db, second)
    city_bus.handle(ec.CheckInAssembly(second, 117.65, 24.51, "disp02"))
    assert calls(db, second)["disp02"].state == "checked_in"
    city_bus.handle(ec.EndEmergency(second, "chief1"))
    assert ready(db, second) == []
    open_calls = rows(db, "SELECT id FROM cases WHERE channel = 'assembly' AND status <> 'completed'")
    assert open_calls == []


@pytest.mark.parametrize(("override", "field"), [
    ({"kind": "meteor"}, "kind"), ({"level": "V"}, "level"), ({"area": {"districts": []}}, "area"),
    ({"commander": "nobody"}, "commander"), ({"ack_within_minutes": 0}, "ack_within_minutes"),
])
def test_a_bad_declaration_is_refused_naming_the_field_and_writes_nothing(
        city_bus: MessageBus, db: Engine, clock: FakeClock, override: dict[str, object], field: str) -> None:
    clock.set(cst(2, 9))
    add_people(city_bus)
    with pytest.raises((InvalidCommand, FieldsRejected)) as refused:
        city_bus.handle(declaration(clock.now(), **override))
    err = refused.value
    fields = set(getattr(err, "fields", {}) or {}) | {getattr(err, "field", None)}
    assert field in fields
    assert rows(db, "SELECT id FROM emergencies") == [] and rows(db, "SELECT id FROM cases") == []


def test_an_end_before_the_start_is_refused(city_bus: MessageBus, db: Engine, clock: FakeClock) -> None:
    clock.set(cst(2, 9))
    add_people(city_bus)
    with pytest.raises((InvalidCommand, FieldsRejected)) as refused:
        city_bus.handle(declaration(clock.now(), ends_at=(clock.now() - timedelta(hours=1)).isoformat()))
    assert "ends_at" in str(refused.value.__dict__) or "ends_at" in str(refused.value)
