"""Replay of a case that asked a capability's kept helper (emergency_at, 应急规则), on SQLite and PostgreSQL: the
answer is kept with the step, so the case verifies from the database, from its export without any database (the
export carries the answer), and with an engine that lacks the helper (the recorded answer is what the step got).
A declaration reaching a case whose disposal warning was due but not yet fired replays too (the delivery's step
begins with that timer_fired, then the signal's message_received)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from replay_support import REPORT, Case, cst, start, to_disposal

from city.bootstrap import bootstrap
from city.emergency.commands import DeclareEmergency, EndEmergency
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.event_commands import ThrowSignal
from engine.service.audit.export import export_case, verify_document
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from web.settings import Settings

FALLEN_TREE = "0906"  # a hazard the emergency table files and dispatches by rule under a typhoon


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(cst(2, 9))


@pytest.fixture
def bus(city: str, clock: FakeClock) -> Iterator[MessageBus]:
    """The engine over the module's seeded city with a typhoon declared over 芗城区 (350602), ended afterwards."""
    bus = bootstrap(city, clock, working_time=Settings.from_env({}).working_time())
    declared: dict[str, Any] = bus.handle(DeclareEmergency(
        kind="typhoon", level="II", area={"districts": ["350602"], "streets": []},
        starts_at=(clock.now() - timedelta(hours=1)).isoformat(), ends_at=(clock.now() + timedelta(days=1)).isoformat(),
        commander="supervisor01", actor="shiftlead01", name="台风“海葵”", signal_kinds=(FALLEN_TREE,)))
    clock.advance(timedelta(seconds=2))  # past emergency_at's one-second recheck
    yield bus
    bus.handle(EndEmergency(int(declared["id"]), "supervisor01"))
    bus.deps.db.dispose()


def filed_by_rule(bus: MessageBus, clock: FakeClock) -> Case:
    """A fallen tree reported inside the area: registration asked emergency_at, the engine filed and dispatched."""
    report = {**REPORT, "subtype": FALLEN_TREE, "description": "台风吹倒行道树"}
    case = Case(bus, clock, bus.handle(c.StartCase("case_lifecycle", {"report": report}, "seat01")).case_id)
    assert set(case.ready()) == {"dispose_problem"}
    return case


def test_the_export_carries_the_emergency_answer_and_verifies_without_a_database(bus: MessageBus,
                                                                                 clock: FakeClock) -> None:
    case = filed_by_rule(bus, clock)
    assert verify_case(bus.deps, case.case_id).verified
    document = export_case(bus.deps, case.case_id, clock.now())
    asked = [answer for answer in document["environment"] if answer[0] == "emergency_at"]
    assert len(asked) == 1 and asked[0][2]["kind"] == "typhoon"
    result = verify_document(document)
    assert result.verified, result.divergence


def test_an_engine_without_the_helper_replays_the_recorded_answer(bus: MessageBus, clock: FakeClock) -> None:
    case = filed_by_rule(bus, clock)
    helpers = {name: helper for name, helper in bus.deps.script_helpers.items() if name != "emergency_at"}
    result = verify_case(dataclasses.replace(bus.deps, script_helpers=helpers), case.case_id)
    assert result.verified, result.divergence


def test_a_signal_delivered_after_a_timer_came_due_replays(bus: MessageBus, clock: FakeClock) -> None:
    case = to_disposal(start(bus, clock))
    clock.advance(timedelta(days=3))  # the disposal warning is due; no scheduler fired it
    declaration = {"emergency_id": 1, "kind": "typhoon", "level": "II",
                   "area": {"districts": ["350602"], "streets": []}, "signal_kinds": ["0601"]}
    bus.handle(ThrowSignal("emergency_declared", declaration, "case:1"))  # as the emergency case throws it
    step = [e for e in case.events() if e.command is not None][-1:]
    delivered = [e for e in case.events() if e.seq >= step[0].seq]
    assert delivered[0].event_type == "timer_fired" and delivered[0].command == "deliver_message"
    assert "message_received" in {e.event_type for e in delivered}
    result = verify_case(bus.deps, case.case_id)
    assert result.verified, result.divergence
