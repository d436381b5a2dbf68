"""Group commit (SQLite): concurrent writing units of work of one process share one transaction and one commit.

At ``synchronous=FULL`` every COMMIT syncs the write-ahead log, and the threads of one process queue on SQLite's
write lock anyway, each paying its own sync. Here the first writer opens a *batch*: ``BEGIN IMMEDIATE`` on one
pooled connection. Each command's unit of work is one ``SAVEPOINT`` on that connection, one command at a time (an
in-process mutex: the write lock would serialize them anyway). A command that fails rolls back to its savepoint
and raises at once: nothing of it is written. A command that succeeded returns only after the batch's COMMIT
succeeded, so an acknowledgement is always durable; when that COMMIT fails, every member gets the error and
nothing of theirs is written. The batch commits as soon as no other command of this process waits to join it (a
lone client pays one commit per command, as without batching), or at a cap (``MAX_MEMBERS`` commands,
``MAX_HOLD`` seconds holding the write lock) so other processes get the lock too. A member waits for the commands
that join after it, so a quick command handed to a long one (an import) returns when that one ends.

Members of a batch see each other's writes before the commit (one transaction); other connections see none of
them until it. So when a batch with such writes does not commit, its watchers (``watch``: the engine's caches)
forget what they kept of it. A unit of work opened inside a member on the same thread (a nested one) is a savepoint
inside it and commits with it: it must not wait for the mutex its own thread holds.

PostgreSQL is left alone: its units of work run concurrently on their own connections, and the server groups
concurrent commits itself (``commit_delay``/``commit_siblings``). ``install`` is called for SQLite engines only.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from engine.domain.errors import ConcurrencyConflict

log = logging.getLogger(__name__)
MAX_MEMBERS = 32  # commands in one batch at most
MAX_HOLD = 0.05  # seconds a batch keeps accepting commands (holding the write lock) before it commits

Commit = Callable[[Any], None]  # commits a pooled connection: the unit of work's, the codebase's only commit


class GroupCommitFailed(Exception):
    """The batch this command was part of did not commit: nothing of the command was written.

    ``orig``: the database's error (``is_lock_timeout`` and ``is_cancelled`` look at it)."""

    def __init__(self, orig: BaseException, members: int) -> None:
        super().__init__(f"the shared commit of {members} command(s) failed ({type(orig).__name__}: {orig}); "
                         "nothing of this command was written")
        self.orig = orig


@dataclass(eq=False)
class _Batch:
    """One open transaction shared by the commands that joined it."""

    raw: Any  # the pooled DBAPI connection (SQLAlchemy's proxy)
    opened: float  # time.monotonic() when BEGIN IMMEDIATE got the write lock
    members: int = 0  # commands that joined (nested units not counted)
    pending: int = 0  # members that succeeded and wait for the COMMIT
    savepoints: int = 0  # names the next savepoint
    broken: BaseException | None = None  # a savepoint could not be ended: the batch may only roll back
    error: BaseException | None = None  # why the batch did not commit (set before ``done``)
    done: threading.Event = field(default_factory=threading.Event)


_CURRENT: ContextVar[Member | None] = ContextVar("gridcase_group_member", default=None)


class Member:
    """One writing unit of work's share of a batch: a savepoint on the batch's connection."""

    def __init__(self, group: GroupCommit, batch: _Batch, commit: Commit, *, nested: bool) -> None:
        batch.savepoints += 1
        self.group = group
        self.batch = batch
        self.nested = nested
        self._commit = commit
        self._savepoint = f"gc_{batch.savepoints}"
        self.driver.execute(f"SAVEPOINT {self._savepoint}")
        self._token = _CURRENT.set(self)

    @property
    def driver(self) -> Any:
        """The DBAPI connection of the batch (sqlite3)."""
        return self.batch.raw.driver_connection

    def leave(self, error: BaseException | None) -> None:
        """End the savepoint: keep the work (``error`` None) or roll it back. A member that kept its work returns
        only once the batch committed, and raises ``GroupCommitFailed`` when the batch did not."""
        _CURRENT.reset(self._token)
        self._end_savepoint(error)
        if self.nested:  # the outer member's commit carries it
            return
        if error is None:
            self.batch.pending += 1
        self.group.settle(self.batch, self._commit)
        if error is None:
            self.group.await_commit(self.batch, self._commit)

    def _end_savepoint(self, error: BaseException | None) -> None:
        batch = self.batch
        if not self.driver.in_transaction:  # SQLite itself rolled the whole transaction back (disk full, I/O error)
            batch.broken = batch.broken or error or RuntimeError("the database rolled the shared transaction back")
            return
        try:
            if error is not None:
                self.driver.execute(f"ROLLBACK TO {self._savepoint}")
            self.driver.execute(f"RELEASE {self._savepoint}")
        except BaseException as exc:  # this command's work may be half in the batch: only a rollback is safe
            batch.broken = batch.broken or exc


class GroupCommit:
    """Batches one engine's writing units of work (one per process; see the module's docstring)."""

    def __init__(self, engine: Engine, *, lock_timeout: float, max_members: int = MAX_MEMBERS,
                 max_hold: float = MAX_HOLD) -> None:
        self._engine = weakref.ref(engine)  # the registry is keyed by the engine: no strong reference back
        self.lock_timeout = lock_timeout  # as long as SQLite's own busy wait: a writer waits no longer than today
        self.max_members = max_members
        self.max_hold = max_hold
        self._mutex = threading.Lock()  # held by the member at work on the batch's connection, and by the commit
        self._state = threading.Condition()  # guards _waiting and the counters
        self._waiting = 0  # threads waiting for the mutex: they will join the open batch
        self._batch: _Batch | None = None  # changed only under _mutex
        self.commits = 0
        self.committed_members = 0
        self._watchers: list[weakref.ref[Any]] = []  # weakly: a bus dropped is not kept alive here

    def join(self, commit: Commit) -> Member:
        """A savepoint for one unit of work: in the open batch, else in a new one (``BEGIN IMMEDIATE``).

        Nested in a member on this thread, it is a savepoint inside that member. Raises ``ConcurrencyConflict``
        when the batch mutex stays taken past ``lock_timeout`` (as SQLite's busy wait would)."""
        current = _CURRENT.get()
        if current is not None and current.group is self:
            return Member(self, current.batch, commit, nested=True)
        self._acquire()
        try:
            batch = self._batch if self._batch is not None else self._open()
            member = Member(self, batch, commit, nested=False)
        except BaseException as exc:
            if self._batch is None:
                self._mutex.release()
            else:  # a SAVEPOINT that fails leaves the transaction in doubt: the others must not commit on it
                self._batch.broken = self._batch.broken or exc
                self.settle(self._batch, commit)
            raise
        batch.members += 1
        return member

    def settle(self, batch: _Batch, commit: Commit) -> None:
        """A member left (the mutex is held): keep the batch open for a command waiting to join, else end it.
        Releases the mutex."""
        try:
            if batch.broken is None and self._keep_open(batch):
                return
            self._finish(batch, commit)
        finally:
            self._mutex.release()

    def await_commit(self, batch: _Batch, commit: Commit) -> None:
        """Return once ``batch`` committed; raise ``GroupCommitFailed`` when it did not."""
        while not batch.done.wait(self.max_hold):
            self._rescue(batch, commit)
        if batch.error is not None:
            raise GroupCommitFailed(batch.error, batch.members) from batch.error

    def watch(self, watcher: Any) -> None:
        """Call ``watcher.batch_rolled_back()`` whenever a batch holding members' work does not commit: a cache
        filled inside it may hold what other members wrote, which is gone. ``watcher`` is held weakly."""
        with self._state:
            self._watchers = [ref for ref in self._watchers if ref() is not None] + [weakref.ref(watcher)]

    def waiting(self) -> int:
        """Commands of this process waiting to join (tests and benches watch it)."""
        with self._state:
            return self._waiting

    def wait_for_waiting(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` commands wait to join (tests make a batch form deterministically)."""
        with self._state:
            return self._state.wait_for(lambda: self._waiting >= count, timeout)

    def _acquire(self) -> None:
        with self._state:
            self._waiting += 1
            self._state.notify_all()
        try:
            acquired = self._mutex.acquire(timeout=self.lock_timeout)
        finally:
            with self._state:
                self._waiting -= 1
                self._state.notify_all()
        if not acquired:
            raise ConcurrencyConflict("the database stayed locked by other work; retry")

    def _open(self) -> _Batch:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine of this group commit is gone")
        raw = engine.raw_connection()
        driver: Any = raw.driver_connection
        try:
            # The driver's implicit transactions are off (db.py): the batch takes the write lock up front.
            driver.execute("BEGIN IMMEDIATE")
        except BaseException:
            raw.close()
            raise
        self._batch = _Batch(raw, time.monotonic())
        return self._batch

    def _keep_open(self, batch: _Batch) -> bool:
        if batch.members >= self.max_members or time.monotonic() - batch.opened >= self.max_hold:
            return False
        with self._state:
            return self._waiting > 0

    def _finish(self, batch: _Batch, commit: Commit) -> None:
        """Commit the batch (or roll it back: nothing kept, or broken); wake its members. The mutex is held."""
        self._batch = None
        try:
            if batch.broken is not None or not batch.pending:
                batch.error = batch.broken
                batch.raw.rollback()
            else:
                commit(batch.raw)
                with self._state:
                    self.commits += 1
                    self.committed_members += batch.pending
        except BaseException as exc:  # the COMMIT failed: nothing of the batch is written
            batch.error = exc
            _roll_back(batch.raw)
        finally:
            batch.raw.close()
            if batch.error is not None and batch.pending:
                self._tell_watchers()
            batch.done.set()

    def _tell_watchers(self) -> None:
        with self._state:
            watchers = [ref() for ref in self._watchers]
        for watcher in watchers:
            if watcher is None:
                continue
            try:
                watcher.batch_rolled_back()
            except Exception:  # forgetting a cache must not keep the batch's members from their error
                log.exception("group commit watcher %r failed", watcher)

    def _rescue(self, batch: _Batch, commit: Commit) -> None:
        """A safety net: the batch was handed to a command that never joined (its thread was interrupted while
        it waited). With the mutex free and nobody waiting, end the batch here instead of waiting forever."""
        if not self._mutex.acquire(blocking=False):
            return
        try:
            if self._batch is batch and not batch.done.is_set() and self.waiting() == 0:
                self._finish(batch, commit)
        finally:
            self._mutex.release()


def _roll_back(raw: Any) -> None:
    try:
        raw.rollback()
    except Exception:  # the connection is unusable: the pool must not hand it out again
        raw.invalidate()


_GROUPS: weakref.WeakKeyDictionary[Engine, GroupCommit] = weakref.WeakKeyDictionary()
_GROUPS_LOCK = threading.Lock()


def install(engine: Engine, lock_timeout: float) -> None:
    """Batch ``engine``'s writing units of work (a SQLite engine; ``create_db_engine`` calls it when
    ``GRIDCASE_SQLITE_GROUP_COMMIT`` is on). ``lock_timeout``: seconds a writer waits for the batch mutex."""
    with _GROUPS_LOCK:
        _GROUPS[engine] = GroupCommit(engine, lock_timeout=lock_timeout)


def for_engine(engine: Engine) -> GroupCommit | None:
    """The group commit of ``engine``, None when it has none (PostgreSQL, or the setting is off)."""
    return _GROUPS.get(engine)


def _after_fork() -> None:
    # A child process must not inherit a mutex or a batch of its parent's threads: each process batches its own.
    for engine, group in list(_GROUPS.items()):
        _GROUPS[engine] = GroupCommit(engine, lock_timeout=group.lock_timeout, max_members=group.max_members,
                                      max_hold=group.max_hold)


os.register_at_fork(after_in_child=_after_fork)
