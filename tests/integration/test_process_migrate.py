"""Deploy makes new versions; ``migrate_cases`` / ``gridcase process migrate`` move running cases where safe.

Fixture process ``migrate_demo`` (tests/fixtures/migrate): v1 start → A → B (boundary deadline PT1H) →
end; v2 renames B, makes its deadline PT2H and adds C after B; v3 drops A.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.audit import chain as audit_chain
from engine.domain.audit.chain import StoredEvent
from engine.domain.clock import FakeClock
from engine.domain.errors import NotFound
from engine.persistence.db import as_utc
from engine.scheduling.scheduler import TimerScheduler
from engine.service.bus import MessageBus
from engine.service.migration import migrate_cases, plan_migration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "migrate"
PROCESS = "migrate_demo"
Sql = Callable[..., list[sa.Row]]


def deploy_version(bus: MessageBus, number: int) -> int:
    """Deploy fixture version ``number``; returns the stored version number."""
    text = (FIXTURES / f"migrate_demo_v{number}.bpmn").read_text(encoding="utf-8")
    (result,) = bus.handle(c.DeployProcesses({"migrate_demo.bpmn": text}, "tests"))
    assert result.number == number
    return result.version_id


def ready(sql: Sql, case_id: int) -> list[sa.Row]:
    return sql("SELECT id, bpmn_id, name, process_version_id, due_at FROM human_tasks"
               " WHERE case_id = :id AND state = 'ready' ORDER BY bpmn_id", id=case_id)


def complete(bus: MessageBus, sql: Sql, case_id: int, bpmn_id: str) -> None:
    (task,) = [t for t in ready(sql, case_id) if t.bpmn_id == bpmn_id]
    bus.handle(c.CompleteHumanTask(task.id, {}, "worker"))


def snapshot(sql: Sql, case_id: int) -> dict[str, Any]:
    """Everything stored about a case."""
    return {
        "case": sql("SELECT process_version_id, version, status, workflow_json, last_event_seq, last_event_hash"
                    " FROM cases WHERE id = :id", id=case_id),
        "tasks": sql("SELECT * FROM workflow_tasks WHERE case_id = :id ORDER BY task_id", id=case_id),
        "events": sql("SELECT seq, event_type, hash FROM case_events WHERE case_id = :id ORDER BY seq", id=case_id),
        "human": sql("SELECT * FROM human_tasks WHERE case_id = :id ORDER BY id", id=case_id),
        "timers": sql("SELECT * FROM timers WHERE case_id = :id ORDER BY id", id=case_id),
    }


def chain_problems(sql: Sql, case_id: int) -> list[str]:
    """The case's audit chain from the genesis hash, checked by ``engine.domain.audit.chain`` (empty when intact)."""
    rows = sql("SELECT * FROM case_events WHERE case_id = :id ORDER BY seq", id=case_id)
    events = [StoredEvent(r.case_id, r.seq, as_utc(r.occurred_at), r.actor, r.actor_kind,
                          r.event_type, r.command, r.task_id, r.bpmn_id, r.data, r.process_version_id, r.prev_hash,
                          r.hash, r.request_id) for r in rows]
    (case,) = sql("SELECT last_event_seq, last_event_hash FROM cases WHERE id = :id", id=case_id)
    return [p.describe() for p in audit_chain.chain_problems(events, (case.last_event_seq, case.last_event_hash))]


@pytest.fixture
def bus(make_bus: Callable[..., MessageBus], clock: FakeClock) -> MessageBus:
    return make_bus(clock, verify_state=True)


def test_deploy_makes_a_version_new_cases_start_on_it_running_cases_stay(bus: MessageBus, sql: Sql) -> None:
    v1 = deploy_version(bus, 1)
    old = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    v2 = deploy_version(bus, 2)
    new = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    versions = {r.id: r.process_version_id for r in sql("SELECT id, process_version_id FROM cases")}
    assert versions == {old: v1, new: v2}
    assert sql("SELECT number FROM process_versions WHERE process_id = :p ORDER BY number", p=PROCESS) == [(1,), (2,)]
    (only,) = plan_migration(bus.deps, PROCESS, 2)
    assert (only.case_id, only.from_version, only.to_version, only.safe) == (old, 1, 2, True)


def test_dry_run_changes_nothing_then_the_case_moves_and_walks_through_the_new_task(
        bus: MessageBus, make_bus: Callable[..., MessageBus], clock: FakeClock, sql: Sql) -> None:
    deploy_version(bus, 1)
    case_id = bus.handle(c.StartCase(PROCESS, {"report": "pit"}, "alice")).case_id  # waits at A
    v2 = deploy_version(bus, 2)
    before = snapshot(sql, case_id)

    (planned,) = migrate_cases(bus, PROCESS, 2, "designer", dry_run=True)
    assert (planned.case_id, planned.outcome, planned.reasons) == (case_id, "would migrate", ())
    assert snapshot(sql, case_id) == before

    clock.advance(minutes=5)
    (done,) = migrate_cases(bus, PROCESS, 2, "designer")
    assert (done.outcome, done.from_version, done.to_version) == ("migrated", 1, 2)
    assert sql("SELECT process_version_id FROM cases WHERE id = :id", id=case_id) == [(v2,)]
    migrated = sql("SELECT * FROM case_events WHERE case_id = :id AND event_type = 'case_migrated'", id=case_id)
    assert [(e.actor, json.loads(e.data), e.process_version_id) for e in migrated] == [
        ("designer", {"from_version": 1, "to_version": 2}, v2)]
    assert [(t.bpmn_id, t.process_version_id) for t in ready(sql, case_id)] == [("task_a", v2)]
    assert migrate_cases(bus, PROCESS, 2, "designer") == []  # nothing left on another version

    other = make_bus(clock, verify_state=True)  # no hot workflow: restored from the rows with v2's spec
    complete(other, sql, case_id, "task_a")
    assert [(t.bpmn_id, t.name) for t in ready(sql, case_id)] == [("task_b", "Handle the report on site")]
    complete(other, sql, case_id, "task_b")
    assert [t.bpmn_id for t in ready(sql, case_id)] == ["task_c"]  # the step v2 added
    complete(bus, sql, case_id, "task_c")
    assert sql("SELECT status FROM cases WHERE id = :id", id=case_id) == [("completed",)]
    assert chain_problems(sql, case_id) == []
    kinds = [r.event_type for r in sql("SELECT event_type FROM case_events WHERE case_id = :id ORDER BY seq",
                                       id=case_id)]
    assert kinds.index("case_migrated") < kinds.index("task_completed") and kinds[-1] == "case_completed"


def test_a_waiting_timer_whose_duration_changed_gets_its_new_due_time(
        bus: MessageBus, clock: FakeClock, sql: Sql) -> None:
    deploy_version(bus, 1)
    case_id = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    complete(bus, sql, case_id, "task_a")  # B is ready, its PT1H deadline waits
    started = clock.now()
    (timer,) = sql("SELECT task_id, due_at, status FROM timers WHERE case_id = :id", id=case_id)
    assert (as_utc(timer.due_at), timer.status) == (started + timedelta(hours=1), "pending")
    v2 = deploy_version(bus, 2)
    clock.advance(minutes=30)
    moved_at = clock.now()

    (done,) = migrate_cases(bus, PROCESS, 2, "designer")
    assert done.outcome == "migrated"
    pending = sql("SELECT bpmn_id, due_at FROM timers WHERE case_id = :id AND status = 'pending'", id=case_id)
    assert [(t.bpmn_id, as_utc(t.due_at)) for t in pending] == [("b_deadline", moved_at + timedelta(hours=2))]
    (task_b,) = ready(sql, case_id)  # the ready task shows v2's name and deadline
    assert (task_b.name, task_b.process_version_id, as_utc(task_b.due_at)) == (
        "Handle the report on site", v2, moved_at + timedelta(hours=2))
    events = sql("SELECT event_type, bpmn_id, data FROM case_events WHERE case_id = :id AND seq >"
                 " (SELECT seq FROM case_events WHERE case_id = :id AND event_type = 'case_migrated')", id=case_id)
    waiting = [json.loads(e.data)["due_at"] for e in events if e.event_type == "timer_waiting"]
    assert waiting == [(moved_at + timedelta(hours=2)).isoformat()]

    scheduler = TimerScheduler(bus)
    clock.set(started + timedelta(hours=1, minutes=5))  # the old due time passes: nothing fires
    assert scheduler.fire_due() == []
    clock.set(moved_at + timedelta(hours=2, minutes=1))
    assert scheduler.fire_due() == ["fired"]
    assert sql("SELECT status FROM timers WHERE case_id = :id", id=case_id) == [("fired",)]
    assert chain_problems(sql, case_id) == []


def test_a_case_whose_finished_work_changed_is_refused_with_the_reason(bus: MessageBus, clock: FakeClock,
                                                                       sql: Sql) -> None:
    deploy_version(bus, 1)
    at_a = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    fired = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    complete(bus, sql, fired, "task_a")
    clock.advance(hours=1, minutes=1)
    assert TimerScheduler(bus).fire_due() == ["fired"]  # B's PT1H deadline fired: its change matters now
    deploy_version(bus, 2)
    before = snapshot(sql, fired)

    results = {p.case_id: p for p in migrate_cases(bus, PROCESS, 2, "designer")}
    assert results[at_a].outcome == "migrated"
    assert results[fired].outcome == "refused"
    assert results[fired].reasons == ("completed task b_deadline changed (event_definition)",)
    assert snapshot(sql, fired) == before

    on_v2 = bus.handle(c.StartCase(PROCESS, {}, "bob")).case_id
    complete(bus, sql, on_v2, "task_a")  # task_a completed; v3 removes it
    deploy_version(bus, 3)
    before = {case_id: snapshot(sql, case_id) for case_id in (at_a, fired, on_v2)}
    plans = {p.case_id: p for p in migrate_cases(bus, PROCESS, 3, "designer")}
    assert {p.outcome for p in plans.values()} == {"refused"}
    assert "completed task task_a was removed" in plans[on_v2].reasons
    assert "ready task task_a was removed: it would vanish" in plans[at_a].reasons
    assert {case_id: snapshot(sql, case_id) for case_id in before} == before
    for case_id in (at_a, fired, on_v2):
        assert chain_problems(sql, case_id) == []
    assert len(sql("SELECT 1 FROM case_events WHERE event_type = 'case_migrated'")) == 1


def test_unchanged_timers_keep_their_due_time_and_fired_branches_stay(bus: MessageBus, clock: FakeClock,
                                                                     sql: Sql) -> None:
    source = (ROOT / "tests" / "fixtures" / "bpmn" / "reminders.bpmn").read_text(encoding="utf-8")
    case_id = bus.handle(c.StartCase("reminders", {}, "carol")).case_id  # cycle R3/PT1H on the ready task
    started = clock.now()
    clock.advance(hours=1, minutes=1)
    assert TimerScheduler(bus).fire_due() == ["fired"]
    renamed = source.replace('name="Handle the complaint"', 'name="Handle the complaint (v2)"')
    (v2,) = bus.handle(c.DeployProcesses({"reminders.bpmn": renamed}, "tests"))
    before = sql("SELECT task_id, due_at, fire_count FROM timers WHERE case_id = :id", id=case_id)
    finished = sql("SELECT task_id FROM workflow_tasks WHERE case_id = :id AND state = 64 ORDER BY task_id",
                   id=case_id)

    (done,) = migrate_cases(bus, "reminders", v2.number, "designer")
    assert done.outcome == "migrated"
    assert sql("SELECT task_id, due_at, fire_count FROM timers WHERE case_id = :id", id=case_id) == before
    assert as_utc(before[0].due_at) == started + timedelta(hours=2)  # not restarted by the move
    assert sql("SELECT task_id FROM workflow_tasks WHERE case_id = :id AND state = 64 ORDER BY task_id",
               id=case_id) == finished  # the reminder branch that ran is still there
    assert [t.name for t in ready(sql, case_id)] == ["Handle the complaint (v2)"]

    (v3,) = bus.handle(c.DeployProcesses({"reminders.bpmn": renamed.replace("R3/PT1H", "R3/PT2H")}, "tests"))
    (refused,) = migrate_cases(bus, "reminders", v3.number, "designer")
    assert refused.reasons == ("waiting task hourly_reminder changed (event_definition) after its branch already ran",)
    clock.advance(hours=1)
    assert TimerScheduler(bus).fire_due() == ["fired"]
    assert chain_problems(sql, case_id) == []


def test_an_unknown_process_or_version_is_not_found(bus: MessageBus) -> None:
    deploy_version(bus, 1)
    with pytest.raises(NotFound) as unknown_process:
        migrate_cases(bus, "no_such_process", 1, "designer", dry_run=True)
    assert unknown_process.value.field == "process_id"
    with pytest.raises(NotFound) as unknown_version:
        migrate_cases(bus, PROCESS, 7, "designer")
    assert unknown_version.value.field == "to_version"


def _gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", "--database-url", url, "process", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_command_line_dry_run_migrate_and_exit_codes(db_url_engine: tuple[str, Engine],
                                                         bus: MessageBus, sql: Sql) -> None:
    url, _ = db_url_engine
    deploy_version(bus, 1)
    movable = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    deploy_version(bus, 2)
    stuck = bus.handle(c.StartCase(PROCESS, {}, "alice")).case_id
    complete(bus, sql, stuck, "task_a")
    deploy_version(bus, 3)
    before = snapshot(sql, movable)

    dry = _gridcase(url, "migrate", PROCESS, "--to", "3", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    numbers = {r.case_id: r.case_no for r in sql("SELECT case_id, case_no FROM case_summaries")}
    assert lines[:2] == [
        f"{numbers[movable]}\tv1 -> v3\trefused: completed task reported changed (outputs); "
        "ready task task_a was removed: it would vanish",
        f"{numbers[stuck]}\tv2 -> v3\trefused: completed task reported changed (outputs); "
        "completed task task_a was removed",
    ], dry.stdout
    assert lines[-1].startswith(f"{PROCESS} -> version 3 (dry run): 2 running case(s)"), dry.stdout
    assert snapshot(sql, movable) == before

    moved = _gridcase(url, "migrate", PROCESS, "--to", "2", "--json")
    assert moved.returncode == 0, moved.stderr
    report = json.loads(moved.stdout)
    assert [(c["case_id"], c["outcome"]) for c in report["cases"]] == [(movable, "migrated")]
    assert report["summary"] == {"migrated": 1}
    assert chain_problems(sql, movable) == []

    for args, message in ((("migrate", PROCESS, "--to", "9"), "no version 9"),
                          (("migrate", "nothing_here", "--to", "1"), "no deployed process")):
        failed = _gridcase(url, *args)
        assert failed.returncode == 1 and message in failed.stderr, (failed.stdout, failed.stderr)
