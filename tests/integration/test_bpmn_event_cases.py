"""The BPMN events of issue 17 on SQLite and PostgreSQL: a signal broadcast across cases (through the outbox after
the commit), timer start events started exactly once by two schedulers at once, a newer version without the timer
start stops it, the signals API (403 for other roles), and replay verifies a case of each event kind."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_support import Api, error_of

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.scheduling.scheduler import TimerScheduler
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from engine.service.timer_starts import next_timer_starts

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
Sql = Callable[..., list[sa.Row]]


def deploy_events(bus: MessageBus) -> None:
    bus.handle(c.DeployProcesses(read_sources([EVENTS]), "tests"))


def ready(sql: Sql, case_id: int, bpmn_id: str) -> str:
    (row,) = sql("SELECT id FROM human_tasks WHERE case_id = :id AND bpmn_id = :b AND state = 'ready'",
                 id=case_id, b=bpmn_id)
    return str(row.id)


def verified(bus: MessageBus, case_ids: list[int]) -> None:
    for case_id in case_ids:
        result = verify_case(bus.deps, case_id)
        assert result.verified, result.divergence and result.divergence.describe()


def test_a_signal_thrown_in_one_case_reaches_every_waiting_case(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    deploy_events(bus)
    works = [bus.handle(c.StartCase("street_works", {}, "alice")).case_id for _ in range(3)]
    closure = bus.handle(c.StartCase("road_closure", {"closure_no": "r1", "jam": False}, "alice")).case_id
    storm = bus.handle(c.StartCase("storm_watch", {}, "alice"))
    clock.advance(minutes=1)
    bus.handle(c.CompleteHumanTask(storm.ready_tasks[0], {"level": 2, "area": "port"}, "bob"))
    for case_id in works:
        assert {r.bpmn_id: r.state for r in sql("SELECT bpmn_id, state FROM human_tasks WHERE case_id = :id",
                                                id=case_id)} == {"dig_trench": "cancelled", "secure_site": "ready"}
    reopen = sql("SELECT state FROM human_tasks WHERE case_id = :id AND bpmn_id = 'reopen_for_emergency'", id=closure)
    assert [r.state for r in reopen] == ["ready"]  # an interrupting signal-started event subprocess, another process
    (started,) = sql("SELECT id, channel, external_id FROM cases WHERE process_id = 'emergency_response'")
    (outbox,) = sql("SELECT id, name, delivered_at, last_error FROM outbox")
    assert (outbox.name, outbox.last_error) == ("signal:emergency", None) and outbox.delivered_at is not None
    assert (started.channel, started.external_id) == ("signal", f"outbox-{outbox.id}/emergency_response")
    assert TimerScheduler(bus).retry_outbox(grace=0) == []  # delivered once; a retry would start nothing twice
    verified(bus, [*works, closure, storm.case_id, started.id])


def test_two_schedulers_start_each_timer_occurrence_once(make_bus: Callable[..., MessageBus], sql: Sql) -> None:
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    first, second = make_bus(clock), make_bus(clock)
    deploy_events(first)
    assert next_timer_starts(first.deps, clock.now())["monthly_inspection"] == datetime(2027, 1, 1, tzinfo=UTC)
    clock.set(datetime(2027, 3, 2, tzinfo=UTC))  # January, February and March are due; the hourly patrols too
    schedulers = [TimerScheduler(first), TimerScheduler(second)]
    results: list[list[Any]] = [[], []]
    barrier = threading.Barrier(2)

    def run(index: int) -> None:
        barrier.wait()
        for _ in range(3):
            results[index].extend(schedulers[index].start_timer_processes())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = sql("SELECT process_id, external_id FROM cases WHERE channel = 'timer-start' ORDER BY external_id")
    monthly = [r.external_id for r in rows if r.process_id == "monthly_inspection"]
    assert monthly == [f"monthly_inspection/first_of_the_month@2027-0{m}-01T00:00:00+00:00" for m in (1, 2, 3)]
    assert len([r for r in rows if r.process_id == "hourly_patrol"]) == 3  # R3: three, then no more
    assert len([r for r in rows if r.process_id == "new_year_cleanup"]) == 1
    assert sum(1 for ref in results[0] + results[1] if ref.created) == len(rows)  # each started by one scheduler
    assert next_timer_starts(first.deps, clock.now()) == {"monthly_inspection": datetime(2027, 4, 1, tzinfo=UTC)}
    tasks = sql("SELECT COUNT(*) AS n FROM human_tasks WHERE bpmn_id = 'inspect_drains' AND state = 'ready'")
    assert tasks[0].n == 3
    verified(first, [r.id for r in sql("SELECT id FROM cases WHERE channel = 'timer-start'")])


def test_a_version_without_the_timer_start_stops_it(make_bus: Callable[..., MessageBus], sql: Sql) -> None:
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    bus = make_bus(clock)
    deploy_events(bus)
    source = (EVENTS / "timer_starts.bpmn").read_text(encoding="utf-8")
    start = source.index('<bpmn:startEvent id="first_of_the_month">')
    end = source.index("</bpmn:startEvent>", start) + len("</bpmn:startEvent>")
    bus.handle(c.DeployProcesses({"timer_starts.bpmn": source[:start] + '<bpmn:startEvent id="first_of_the_month"/>'
                                  + source[end:]}, "tests"))
    clock.set(datetime(2027, 3, 2, tzinfo=UTC))
    TimerScheduler(bus).start_timer_processes()
    assert sql("SELECT COUNT(*) AS n FROM cases WHERE process_id = 'monthly_inspection'")[0].n == 0
    assert "monthly_inspection" not in next_timer_starts(bus.deps, clock.now())


def test_a_case_of_each_event_kind_replays(bus: MessageBus, sql: Sql, clock: FakeClock) -> None:
    deploy_events(bus)
    gateway = bus.handle(c.StartCase("await_owner_reply", {"notice_no": "G1"}, "alice")).case_id
    bus.handle(c.SendMessage("owner_reply", {"notice_no": "G1"}, "owner", {"notice_no": "G1"}))
    errors = [bus.handle(c.StartCase("permit_check", {"permit": p}, "alice")).case_id for p in ("expired", "unsafe")]
    escalation = bus.handle(c.StartCase("repair_escalation", {}, "alice"))
    bus.handle(c.CompleteHumanTask(escalation.ready_tasks[0], {"scope": "large"}, "bob"))
    closures = [bus.handle(c.StartCase("road_closure", {"closure_no": n, "jam": n == "jam"}, "alice")).case_id
                for n in ("msg", "jam", "late")]
    bus.handle(c.SendMessage("closure_cancelled", {"closure_no": "msg"}, "bob", {"closure_no": "msg"}))
    bus.handle(c.CompleteHumanTask(ready(sql, closures[1], "plan_closure"), {}, "bob"))
    clock.advance(days=3, seconds=1)
    TimerScheduler(bus).fire_due()
    assert sql("SELECT status FROM cases WHERE id = :id", id=closures[0])[0].status == "completed"
    verified(bus, [gateway, *errors, escalation.case_id, *closures])


@pytest.fixture
def signals_api(api: Api) -> Api:
    deploy_events(api.bus)
    return api


def test_the_signals_api_broadcasts_for_integrations_and_admins_only(signals_api: Api) -> None:
    api = signals_api
    works = api.bus.handle(c.StartCase("street_works", {}, "alice"))
    for user in ("seat01", "auditor01", "designer01"):
        assert error_of(api.post("/signals", user, {"name": "emergency"}), 403)
    thrown = api.post("/signals", "admin", {"name": "emergency", "payload": {"level": 4}})
    assert thrown.status_code == 200, thrown.json
    assert thrown.json["signal"] == "emergency" and works.case_no in thrown.json["caught"]
    assert len(thrown.json["started"]) == 1
    started = api.get(f"/cases/{thrown.json['started'][0]}", "admin").json
    assert started["status"] == "running"
    assert error_of(api.post("/signals", "admin", {"name": "emergency", "extra": 1}), 422)
