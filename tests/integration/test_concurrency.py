"""Commands racing each other on real threads: exactly one wins, the loser gets a clear conflict."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from invariants import check_all, rows
from sqlalchemy.engine import Engine

from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import MessageBus
from engine.service.handlers import CaseRef

REPORT = {"report_no": "R-1", "department": "dept_roads"}
REGISTRATION = {"severity": 1, "description": "bin overflowing"}
ROUNDS = 3


def race(count: int, action: Callable[[int], Any], timeout: float = 60.0) -> list[Any]:
    """Run ``action(i)`` in ``count`` threads released together; each result or raised exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing command hung"
    return results


def split(results: list[Any]) -> tuple[list[Any], list[ConcurrencyConflict]]:
    """(successes, conflicts); any exception other than ConcurrencyConflict fails the test."""
    for error in results:
        if isinstance(error, BaseException) and not isinstance(error, ConcurrencyConflict):
            raise AssertionError(f"expected ConcurrencyConflict, got {type(error).__name__}: {error}") from error
    return ([r for r in results if not isinstance(r, BaseException)],
            [r for r in results if isinstance(r, ConcurrencyConflict)])


def one_winner(results: list[Any]) -> tuple[Any, ConcurrencyConflict]:
    """The one success and the one conflict of a two-thread race."""
    won, lost = split(results)
    assert len(won) == 1 and len(lost) == 1, f"expected one winner and one conflict, got {results}"
    return won[0], lost[0]


@pytest.fixture
def racing_bus(make_bus: Callable[..., MessageBus]) -> MessageBus:
    return make_bus(FakeClock(), verify_state=True)


def start_report(bus: MessageBus, number: int, severity: int | None = None) -> tuple[int, str]:
    """Start a report case; with ``severity`` also register it. Returns (case id, ready task id)."""
    ref = bus.handle(c.StartCase("report_handling", {**REPORT, "report_no": f"R-{number}"}, "seat"))
    if severity is not None:
        ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], {"severity": severity, "description": "d"}, "seat"))
    return ref.case_id, ref.ready_tasks[0]


def test_two_claims_of_one_task_exactly_one_wins(racing_bus: MessageBus, db: Engine) -> None:
    for n in range(ROUNDS):
        case_id, task_id = start_report(racing_bus, n)
        results = race(2, lambda i, task_id=task_id: racing_bus.handle(c.ClaimTask(task_id, f"user-{i}")))
        won, lost = one_winner(results)
        winner = f"user-{results.index(won)}"
        assert "claimed" in str(lost)
        assert rows(db, "SELECT assignee FROM human_tasks WHERE id = :t", t=task_id)[0].assignee == winner
        assert rows(db, "SELECT version FROM cases WHERE id = :c", c=case_id)[0].version == won.version == 2
        claims = rows(db, "SELECT actor FROM case_events WHERE case_id = :c AND event_type = 'task_claimed'",
                      c=case_id)
        assert [r.actor for r in claims] == [winner]
    check_all(db)


def test_two_completions_of_one_task_exactly_one_wins(racing_bus: MessageBus, db: Engine) -> None:
    for n in range(ROUNDS):
        case_id, task_id = start_report(racing_bus, n)
        results = race(2, lambda i, task_id=task_id: racing_bus.handle(
            c.CompleteHumanTask(task_id, REGISTRATION, f"user-{i}")))
        won, lost = one_winner(results)
        assert "completed" in str(lost)
        assert len(won.ready_tasks) == 1
        ready = rows(db, "SELECT id, bpmn_id FROM human_tasks WHERE case_id = :c AND state = 'ready'", c=case_id)
        assert [(r.id, r.bpmn_id) for r in ready] == [(won.ready_tasks[0], "dispatch_normal")]
        completed = rows(db, "SELECT COUNT(*) AS n FROM case_events WHERE case_id = :c AND event_type = "
                             "'task_completed'", c=case_id)
        assert completed[0].n == 1
        assert rows(db, "SELECT version FROM cases WHERE id = :c", c=case_id)[0].version == 2
    check_all(db)


def test_ten_claims_on_ten_cases_all_succeed(racing_bus: MessageBus, db: Engine) -> None:
    tasks = [start_report(racing_bus, n)[1] for n in range(10)]
    results = race(10, lambda i: racing_bus.handle(c.ClaimTask(tasks[i], f"user-{i}")))
    won, lost = split(results)
    assert not lost and all(isinstance(r, CaseRef) and r.version == 2 for r in won)
    assignees = {r.id: r.assignee for r in rows(db, "SELECT id, assignee FROM human_tasks")}
    assert all(assignees[task] == f"user-{i}" for i, task in enumerate(tasks))
    check_all(db)


def test_same_report_twice_at_once_creates_one_case(racing_bus: MessageBus, db: Engine) -> None:
    for n in range(ROUNDS):
        external_id = f"app-report-{n}"
        command = c.StartCase("report_handling", {**REPORT, "report_no": external_id}, "app",
                              channel="mobile_app", external_id=external_id)
        results = race(2, lambda _i, command=command: racing_bus.handle(command))
        refs, _ = split(results)
        assert len(refs) == 2, f"a repeated report must not fail: {results}"
        assert refs[0].case_id == refs[1].case_id
        assert sorted(r.created for r in refs) == [False, True]
        cases = rows(db, "SELECT id FROM cases WHERE channel = 'mobile_app' AND external_id = :e", e=external_id)
        assert [r.id for r in cases] == [refs[0].case_id]
        started = rows(db, "SELECT COUNT(*) AS n FROM case_events WHERE case_id = :c AND event_type = "
                           "'case_started'", c=refs[0].case_id)
        assert started[0].n == 1
    assert rows(db, "SELECT COUNT(*) AS n FROM cases")[0].n == ROUNDS
    check_all(db)


def test_completion_racing_its_boundary_timer_never_deadlocks(
        make_bus: Callable[..., MessageBus], db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler fires a dispatch deadline while a dispatcher completes that dispatch.

    The interleaving is forced: the firing thread holds its timer row and is descheduled while the
    completing thread locks the case and writes the step (which ends that same timer row); only then
    does the firing thread go on to lock the case. Either command may win, the other must get a clear
    answer (a conflict or "already-fired") — never a database deadlock error.
    """
    clock = FakeClock()
    bus = make_bus(clock)
    case_id, dispatch = start_report(bus, 1, severity=4)
    (timer_id,) = [r.id for r in rows(db, "SELECT id FROM timers WHERE case_id = :c", c=case_id)]
    clock.advance(hours=4, seconds=1)
    timer_held, case_held = threading.Event(), threading.Event()
    original_timer, original_lock = CaseStore.timer_for_firing, CaseStore.lock_case

    def timer_for_firing(self: CaseStore, tid: int) -> Any:
        claimed = original_timer(self, tid)
        timer_held.set()
        if case_held.wait(1):
            threading.Event().wait(0.3)  # the completer is now writing its step (blocked on our timer row)
        return claimed

    def lock_case(self: CaseStore, cid: int, expected_version: int | None = None) -> Any:
        if threading.current_thread().name == "racer-0":
            timer_held.wait(1)
            case = original_lock(self, cid, expected_version)
            case_held.set()
            return case
        return original_lock(self, cid, expected_version)

    monkeypatch.setattr(CaseStore, "timer_for_firing", timer_for_firing)
    monkeypatch.setattr(CaseStore, "lock_case", lock_case)
    commands = [c.CompleteHumanTask(dispatch, {}, "dispatcher"), c.FireTimer(timer_id)]
    results = race(2, lambda i: bus.handle(commands[i]))
    monkeypatch.undo()
    completed, fired = results
    if isinstance(completed, CaseRef):
        assert fired == "already-fired"
        assert rows(db, "SELECT status FROM timers WHERE id = :t", t=timer_id)[0].status == "cancelled"
    else:
        split([completed])
        assert fired == "fired"
    version = rows(db, "SELECT version FROM cases WHERE id = :c", c=case_id)[0].version
    assert version == 3, "exactly one of the two commands changed the case"
    check_all(db)


def test_claims_on_one_case_serialize_by_version(racing_bus: MessageBus, db: Engine) -> None:
    """Claims carrying the version they read: exactly one per version wins, the rest conflict on it."""
    case_id, task_id = start_report(racing_bus, 1)
    results = race(4, lambda i: racing_bus.handle(c.ClaimTask(task_id, f"user-{i}", expected_version=1)))
    won, lost = split(results)
    assert len(won) == 1 and len(lost) == 3
    assert all(error.field == "expected_version" for error in lost), [str(e) for e in lost]
    assert rows(db, "SELECT version FROM cases WHERE id = :c", c=case_id)[0].version == 2
    check_all(db)
