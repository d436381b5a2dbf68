"""Group commit (SQLite, ``engine/persistence/group_commit.py``): commands of one process running at the same time
share one transaction, one savepoint each, and one COMMIT; each is acknowledged only after that COMMIT.

COMMITs are counted by sqlite3's own statement trace on every connection of the engine under test. Batches are
formed deterministically: a step hook (``Gate``) holds a command inside its unit of work (so inside the batch)
until the test has seen the next commands wait to join (``GroupCommit.wait_for_waiting``). Nothing here depends on
timing; ``WAIT`` only keeps a broken build from hanging the suite.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from invariants import check_hash_chains
from sqlalchemy import event

from city.bootstrap import bootstrap
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import ConcurrencyConflict
from engine.persistence import group_commit
from engine.persistence.db import SessionSettings, create_db_engine
from engine.persistence.migrate import upgrade_database
from engine.persistence.uow import UnitOfWork, command_scope
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from engine.service.handlers import CaseRef
from engine.service.step_hooks import StepWritten
from web.settings import Settings

SEQUENCE = Path(__file__).resolve().parents[2] / "bench" / "processes" / "bench_sequence.bpmn"  # 8 user tasks
WAIT = 30.0  # seconds before a thread counts as hung; a passing test never waits that long
INSERT = "INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'auditor', 'x')"


class Traced:
    """An engine over the test database whose connections report every statement they run (sqlite3's trace)."""

    def __init__(self, url: str, *, group: bool = True, **engine_options: Any) -> None:
        self.statements: list[str] = []
        self.engine = create_db_engine(url, SessionSettings(sqlite_group_commit=group), **engine_options)
        event.listen(self.engine, "connect", self._trace)

    def _trace(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(self.statements.append)

    def commits(self) -> int:
        return sum(1 for statement in list(self.statements) if statement == "COMMIT")


class Gate:
    """A step hook: a step whose data names a held gate waits inside its unit of work until the test opens it;
    with ``fail`` it then raises, after the step was written."""

    def __init__(self) -> None:
        self.entered: dict[str, threading.Event] = {}
        self.opened: dict[str, threading.Event] = {}

    def hold(self, name: str) -> dict[str, Any]:
        """Hold the next step sent with the returned data."""
        self.entered[name], self.opened[name] = threading.Event(), threading.Event()
        return {"gate": name}

    def wait_entered(self, name: str) -> None:
        assert self.entered[name].wait(WAIT), f"no command reached gate {name}"

    def open(self, name: str) -> None:
        self.opened[name].set()

    def __call__(self, _uow: UnitOfWork, written: StepWritten) -> None:
        name = written.data.get("gate")
        if name not in self.entered or self.entered[name].is_set():  # case data keeps the key: hold once
            return
        self.entered[name].set()
        assert self.opened[name].wait(WAIT), f"the test never opened gate {name}"
        if written.data.get("fail"):
            raise ConcurrencyConflict("refused by the test after the step was written")


class Running:
    """One command running on a thread of its own."""

    def __init__(self, bus: MessageBus, command: c.Command) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(bus, command), name="command")
        self.thread.start()

    def _run(self, bus: MessageBus, command: c.Command) -> None:
        try:
            self.result = bus.handle(command)
        except BaseException as exc:  # asserted on by the test
            self.error = exc
        finally:
            self.done.set()

    def wait(self) -> Running:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "a command hung"
        return self


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'group.db'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


def engine_bus(traced: Traced, gate: Gate | None = None) -> MessageBus:
    bus = bootstrap(traced.engine, FakeClock())
    bus.handle(c.DeployProcesses(read_sources([SEQUENCE]), "tests"))
    if gate is not None:
        bus.deps.step_hooks.append(gate)
    return bus


def held_group(traced: Traced, **caps: Any) -> group_commit.GroupCommit:
    """The engine's group commit; the test, not the clock, decides when a batch ends (unless ``caps`` say)."""
    group = group_commit.for_engine(traced.engine)
    assert group is not None
    group.max_hold = caps.get("max_hold", 3600.0)
    group.max_members = caps.get("max_members", group_commit.MAX_MEMBERS)
    return group


def start(bus: MessageBus, count: int) -> list[CaseRef]:
    return [bus.handle(c.StartCase("bench_sequence", {"case": i}, "tests")) for i in range(count)]


def complete(ref: CaseRef, data: dict[str, Any] | None = None) -> c.CompleteHumanTask:
    return c.CompleteHumanTask(ref.ready_tasks[0], data or {"done": True}, "tests")


def seen_by_reader(traced: Traced, ref: CaseRef) -> tuple[int, str]:
    """(case version, first task's state) as a read-only unit of work sees them: committed work only."""
    with UnitOfWork(traced.engine, read_only=True) as uow:
        version = uow.store._execute("SELECT version FROM cases WHERE id = ?", (ref.case_id,)).fetchone()[0]
        state = uow.store._execute("SELECT state FROM human_tasks WHERE id = ?", (ref.ready_tasks[0],)).fetchone()[0]
    return int(version), str(state)


def test_commands_running_together_share_one_commit_and_return_after_it(url: str) -> None:
    traced, gate = Traced(url), Gate()
    bus = engine_bus(traced, gate)
    group = held_group(traced)
    first, second = start(bus, 2)
    before, committed = traced.commits(), seen_by_reader(traced, first)
    a = Running(bus, complete(first, gate.hold("a")))
    gate.wait_entered("a")
    b = Running(bus, complete(second, gate.hold("b")))
    assert group.wait_for_waiting(1, WAIT)
    gate.open("a")  # a keeps its work in the batch and waits: b is waiting to join
    gate.wait_entered("b")
    # a's savepoint is released, b works in the same transaction: nobody else sees a's work, and a has not returned
    assert seen_by_reader(traced, first) == committed == (first.version, "ready")
    assert not a.done.is_set()
    gate.open("b")
    a.wait()
    b.wait()
    assert a.error is None and b.error is None, (a.error, b.error)
    assert traced.commits() - before == 1  # two commands, one COMMIT
    assert seen_by_reader(traced, first) == (a.result.version, "completed")
    assert seen_by_reader(traced, second) == (b.result.version, "completed")


def test_a_failing_member_leaves_nothing_and_the_others_commit(url: str) -> None:
    traced, gate = Traced(url), Gate()
    bus = engine_bus(traced, gate)
    group = held_group(traced)
    first, second, third = start(bus, 3)
    before, untouched = traced.commits(), seen_by_reader(traced, second)
    a = Running(bus, complete(first, gate.hold("a")))
    gate.wait_entered("a")
    b = Running(bus, complete(second, {**gate.hold("b"), "fail": True}))
    assert group.wait_for_waiting(1, WAIT)
    gate.open("a")
    gate.wait_entered("b")  # b has written its step inside the batch
    c_ = Running(bus, complete(third, gate.hold("c")))
    assert group.wait_for_waiting(1, WAIT)
    gate.open("b")  # b raises: it rolls back to its savepoint and returns at once, c joins the batch
    gate.wait_entered("c")
    assert isinstance(b.wait().error, ConcurrencyConflict)
    assert not a.done.is_set()  # the batch with a's work is still open
    gate.open("c")
    a.wait()
    c_.wait()
    assert a.error is None and c_.error is None, (a.error, c_.error)
    assert traced.commits() - before == 1
    assert seen_by_reader(traced, second) == untouched == (second.version, "ready")
    assert seen_by_reader(traced, first)[1] == seen_by_reader(traced, third)[1] == "completed"
    assert bus.handle(complete(second)).version == second.version + 1  # b's task is free: nothing of b was written
    check_hash_chains(traced.engine)


class DiskFull:
    """sqlite3 connections whose COMMIT fails once, when armed, as on a full disk (the one injected fault)."""

    def __init__(self) -> None:
        self.armed = threading.Event()

    def connection_class(self) -> type[sqlite3.Connection]:
        armed = self.armed

        class FailingCommit(sqlite3.Connection):
            def commit(self) -> None:
                if armed.is_set() and self.in_transaction:
                    armed.clear()
                    raise sqlite3.OperationalError("database or disk is full")
                super().commit()

        return FailingCommit


def test_a_failed_commit_fails_every_member_and_writes_nothing(url: str) -> None:
    disk = DiskFull()
    traced, gate = Traced(url, connect_args={"factory": disk.connection_class()}), Gate()
    bus = engine_bus(traced, gate)
    group = held_group(traced)
    first, second = start(bus, 2)
    untouched = seen_by_reader(traced, first), seen_by_reader(traced, second)
    a = Running(bus, complete(first, gate.hold("a")))
    gate.wait_entered("a")
    b = Running(bus, complete(second))
    assert group.wait_for_waiting(1, WAIT)
    disk.armed.set()
    kept = object()
    bus.deps.workflows.put(first.case_id + 1000, 7, kept)  # a runner cached while the batch was open
    gate.open("a")  # b joins, leaves last and commits for both: the COMMIT fails
    for member in (a.wait(), b.wait()):
        assert isinstance(member.error, group_commit.GroupCommitFailed), member.error
        assert "disk is full" in str(member.error.orig)
    # The bus forgot what it cached meanwhile: it may have been read from a member's write that is gone.
    assert bus.deps.workflows.take(first.case_id + 1000, 7) is None
    assert (seen_by_reader(traced, first), seen_by_reader(traced, second)) == untouched
    assert [bus.handle(complete(ref)).version for ref in (first, second)] == [first.version + 1, second.version + 1]
    check_hash_chains(traced.engine)


def test_threads_driving_their_own_cases_commit_everything_they_were_told_with_fewer_commits(url: str) -> None:
    threads, cases_each = 6, 2
    traced, gate = Traced(url), Gate()
    bus = engine_bus(traced, gate)
    group = held_group(traced)
    acknowledged: dict[int, list[CaseRef]] = {}
    first_step = gate.hold("first")  # thread 0's first completion holds the batch until every other thread waits
    before = traced.commits()

    def drive(n: int) -> None:
        for i in range(cases_each):
            ref = bus.handle(c.StartCase("bench_sequence", {"thread": n, "case": i}, "tests"))
            acknowledged[ref.case_id] = [ref]
            while ref.ready_tasks:
                data = first_step if (n, i, len(acknowledged[ref.case_id])) == (0, 0, 1) else {"step": n}
                ref = bus.handle(c.CompleteHumanTask(ref.ready_tasks[0], data, "tests"))
                acknowledged[ref.case_id].append(ref)

    runners = [threading.Thread(target=drive, args=(n,)) for n in range(threads)]
    runners[0].start()
    gate.wait_entered("first")  # thread 0 holds the batch; then every other thread's first command queues to join
    for runner in runners[1:]:
        runner.start()
    assert group.wait_for_waiting(threads - 1, WAIT)
    gate.open("first")
    for runner in runners:
        runner.join(WAIT)
    assert not any(r.is_alive() for r in runners)
    commands = sum(len(refs) for refs in acknowledged.values())
    assert commands == threads * cases_each * 9  # every command acknowledged (a StartCase and 8 completions each)
    commits = traced.commits() - before
    assert 1 <= commits <= commands - (threads - 1)  # at least the held batch shared one COMMIT
    with UnitOfWork(traced.engine, read_only=True) as uow:
        for case_id, refs in acknowledged.items():
            found = uow.store._execute("SELECT status, version FROM cases WHERE id = ?", (case_id,)).fetchone()
            assert tuple(found) == ("completed", refs[-1].version)
    check_hash_chains(traced.engine)


@pytest.mark.parametrize("caps, commits", [({"max_members": 2}, 2), ({"max_hold": 0.0}, 3)])
def test_a_batch_commits_at_its_cap_even_with_commands_waiting(url: str, caps: dict[str, Any], commits: int) -> None:
    traced, gate = Traced(url), Gate()
    bus = engine_bus(traced, gate)
    group = held_group(traced, **caps)
    refs = start(bus, 3)
    before = traced.commits()
    a = Running(bus, complete(refs[0], gate.hold("a")))
    gate.wait_entered("a")
    others = [Running(bus, complete(ref)) for ref in refs[1:]]
    assert group.wait_for_waiting(2, WAIT)
    gate.open("a")
    for member in (a, *others):
        assert member.wait().error is None, member.error
    assert traced.commits() - before == commits  # two members per batch; or every command alone past the hold


def test_with_group_commit_off_every_command_commits_alone(url: str) -> None:
    traced = Traced(url, group=False)
    bus = engine_bus(traced)
    assert group_commit.for_engine(traced.engine) is None
    refs = start(bus, 4)
    before = traced.commits()
    runners = [Running(bus, complete(ref)) for ref in refs]
    assert all(r.wait().error is None for r in runners)
    assert traced.commits() - before == len(refs)


def test_a_lone_client_pays_one_commit_per_command(url: str) -> None:
    traced = Traced(url)
    bus = engine_bus(traced)
    assert group_commit.for_engine(traced.engine) is not None
    before = traced.commits()
    ref = start(bus, 1)[0]
    for _ in range(3):
        ref = bus.handle(complete(ref))
    assert traced.commits() - before == 4


def test_a_unit_with_a_lock_wait_fails_fast_instead_of_queueing_behind_a_batch(url: str) -> None:
    traced, gate = Traced(url), Gate()
    bus = engine_bus(traced, gate)
    group = held_group(traced)
    ref = start(bus, 1)[0]
    a = Running(bus, complete(ref, gate.hold("a")))
    gate.wait_entered("a")
    with pytest.raises(ConcurrencyConflict, match="locked"), command_scope(), UnitOfWork(traced.engine, lock_wait=0):
        pass
    assert group.waiting() == 0  # it never queued for the batch
    gate.open("a")
    assert a.wait().error is None


def test_a_nested_unit_on_the_same_thread_is_a_savepoint_of_the_outer_one(url: str) -> None:
    # Without group commit the inner unit would wait for the write lock its own thread holds (1 s, then fail).
    traced = Traced(url, connect_args={"timeout": 1})

    def names() -> list[str]:  # as another connection sees them
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as reader:
            return [row[0] for row in reader.execute("SELECT username FROM users ORDER BY username")]

    before = traced.commits()
    with command_scope(), UnitOfWork(traced.engine) as outer:
        outer.store._execute(INSERT, ("outer", "Outer"))
        with UnitOfWork(traced.engine) as inner:
            inner.store._execute(INSERT, ("inner", "Inner"))
        with pytest.raises(RuntimeError), UnitOfWork(traced.engine) as failed:
            failed.store._execute(INSERT, ("dropped", "Dropped"))
            raise RuntimeError("the nested work failed")
        assert names() == []  # nothing committed before the outer unit ends
    assert names() == ["inner", "outer"]
    assert traced.commits() - before == 1


@pytest.mark.parametrize(("given", "on"), [({}, True), ({"GRIDCASE_SQLITE_GROUP_COMMIT": " OFF "}, False),
                                           ({"GRIDCASE_SQLITE_GROUP_COMMIT": "on"}, True),
                                           ({"GRIDCASE_SQLITE_GROUP_COMMIT": "0"}, False)])
def test_the_servers_read_the_setting(url: str, given: dict[str, str], on: bool) -> None:
    settings = Settings.from_env({"GRIDCASE_DATABASE_URL": url, **given})
    assert settings.session_settings().sqlite_group_commit is on
    engine = settings.database()
    assert (group_commit.for_engine(engine) is not None) is on
    engine.dispose()


def test_a_bad_setting_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="GRIDCASE_SQLITE_GROUP_COMMIT must be on or off"):
        Settings.from_env({"GRIDCASE_SQLITE_GROUP_COMMIT": "sometimes"})
