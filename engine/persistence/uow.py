"""The unit of work: one pooled DBAPI connection, one transaction; the only place that commits.

A unit of work opened while a command runs (``command_scope``, entered by the message bus around each
handler) writes: it commits when its ``with`` block ends cleanly and rolls back on an exception. Any other
unit of work is read-only and always rolls back, and the database itself refuses a write in it
(SQLite ``PRAGMA query_only``, a PostgreSQL ``READ ONLY`` transaction), so a write outside a command
fails loudly instead of being lost or committed by accident.

On SQLite with group commit on (``GRIDCASE_SQLITE_GROUP_COMMIT``, ``group_commit.py``) a writing unit of work is
one savepoint in a transaction it shares with the other commands of its process running at the same time; it
still returns only once that transaction committed. ``read_only`` units and units with ``lock_wait`` never join
one: they keep their own connection and transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from types import TracebackType
from typing import Any, TypeVar, cast

from sqlalchemy.engine import Engine

from engine.domain.errors import ConcurrencyConflict, DatabaseBusy
from engine.persistence import group_commit
from engine.persistence.db import SqlDialect, is_cancelled, is_lock_timeout
from engine.persistence.repositories.accounts import AccountStore
from engine.persistence.repositories.attachments import AttachmentStore
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.repositories.city import CityStore
from engine.persistence.repositories.drafts import DraftStore

R = TypeVar("R")
_IN_COMMAND: ContextVar[bool] = ContextVar("gridcase_in_command", default=False)


@contextmanager
def command_scope() -> Iterator[None]:
    """Mark the code inside as running a command: units of work opened there may write (and commit)."""
    token = _IN_COMMAND.set(True)
    try:
        yield
    finally:
        _IN_COMMAND.reset(token)


def in_command() -> bool:
    """True inside ``command_scope``."""
    return _IN_COMMAND.get()


def _commit(raw: Any) -> None:
    """The codebase's one commit: a unit of work's own transaction, or a group commit's shared one."""
    raw.commit()


def _mapped(exc: BaseException) -> BaseException | None:
    """The error a caller gets instead of ``exc`` (a lock wait ran out, the database cancelled the work)."""
    if is_lock_timeout(exc):
        return ConcurrencyConflict("the database stayed locked by other work; retry")
    if is_cancelled(exc):
        return DatabaseBusy("the database cancelled the work (a statement or transaction ran past its"
                            " timeout); nothing was written, try again")
    return None


class UnitOfWork:
    """Opens a transaction on enter; on exit commits a clean write, else rolls back.

    It works on the pooled DBAPI connection directly: every command passes through here, and the
    SQLAlchemy Connection layer costs more per statement than the statements themselves.
    Outside a command, or with ``read_only``, it only reads: SQLite takes no write lock.
    ``lock_wait``: seconds to wait for a lock in this transaction (None: the engine's own wait, 30 s on SQLite);
    past it the unit of work raises ``ConcurrencyConflict``. Work that may be skipped (noting a token's use) or
    must answer at once (the health check) waits briefly instead of holding up a request.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False, lock_wait: float | None = None) -> None:
        self.engine = engine
        self.read_only = read_only
        self.lock_wait = lock_wait
        self._busy_timeout: int | None = None  # SQLite: the connection's own wait, put back on close
        self.dialect = SqlDialect(engine.dialect.name)
        self._raw: Any = None
        self._member: group_commit.Member | None = None  # group commit: this unit's savepoint in a shared batch
        self._store: CaseStore | None = None
        self._repos: dict[Callable[[CaseStore], Any], Any] = {}

    def __enter__(self) -> UnitOfWork:
        self.read_only = self.read_only or not in_command()
        # lock_wait: such a unit must fail fast, not wait behind a batch; a reader takes no write lock at all.
        group = None if self.read_only or self.lock_wait is not None else group_commit.for_engine(self.engine)
        if group is not None:
            self._member = self._join(group)
            self._store = CaseStore(self._member.driver, self.dialect)
            return self
        self._raw = self.engine.raw_connection()
        driver = self._raw.driver_connection
        try:
            if self.dialect.sqlite:
                self._wait_briefly_sqlite(driver)
                # The driver's implicit transactions are off (see db.py): a writer takes the lock up front.
                driver.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
                if self.read_only:
                    driver.execute("PRAGMA query_only = ON")
            else:
                if self.read_only:
                    driver.read_only = True  # psycopg sends BEGIN READ ONLY with the first statement
                if self.lock_wait is not None:  # SET LOCAL: for this transaction only (0 would mean no limit)
                    driver.execute(f"SET LOCAL lock_timeout = {max(1, round(self.lock_wait * 1000))}")
        except Exception as exc:
            self._restore_busy_timeout(driver)
            self._raw.close()
            self._raw = None
            if is_lock_timeout(exc):
                raise ConcurrencyConflict("the database stayed locked by other work; retry") from exc
            raise
        self._store = CaseStore(driver, self.dialect)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._member is not None:
            self._leave(self._member, exc)
        else:
            try:
                if exc is None and not self.read_only:
                    _commit(self._raw)
                else:
                    self._raw.rollback()
            finally:
                self._close()
        mapped = None if exc is None else _mapped(exc)
        if mapped is not None:
            raise mapped from exc

    @staticmethod
    def _join(group: group_commit.GroupCommit) -> group_commit.Member:
        try:
            return group.join(_commit)
        except Exception as exc:  # BEGIN IMMEDIATE of a new batch waited past the busy timeout
            mapped = _mapped(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def _leave(self, member: group_commit.Member, exc: BaseException | None) -> None:
        """End this unit's savepoint; after a clean exit, return only once the shared transaction committed."""
        store, self._store, self._member = self._store, None, None
        self._repos.clear()
        try:
            if store is not None:
                store.close()
        finally:
            try:
                member.leave(exc)
            except group_commit.GroupCommitFailed as failed:
                mapped = _mapped(failed)
                if mapped is None:
                    raise
                raise mapped from failed

    def _wait_briefly_sqlite(self, driver: Any) -> None:
        if self.lock_wait is not None:
            self._busy_timeout = int(driver.execute("PRAGMA busy_timeout").fetchone()[0])
            driver.execute(f"PRAGMA busy_timeout = {max(0, round(self.lock_wait * 1000))}")

    def _restore_busy_timeout(self, driver: Any) -> None:
        if self._busy_timeout is not None:
            driver.execute(f"PRAGMA busy_timeout = {self._busy_timeout}")
            self._busy_timeout = None

    def _close(self) -> None:
        try:
            if self._store is not None:
                self._store.close()
            self._restore_busy_timeout(self._raw.driver_connection)
            if self.read_only:  # the connection goes back to the pool: undo the read-only setting
                driver = self._raw.driver_connection
                if self.dialect.sqlite:
                    driver.execute("PRAGMA query_only = OFF")
                else:
                    driver.read_only = None
        finally:
            self._raw.close()
            self._raw = None
            self._store = None
            self._repos.clear()

    @property
    def store(self) -> CaseStore:
        """The case repository bound to this transaction."""
        if self._store is None:
            raise RuntimeError("the unit of work is not open")
        return self._store

    def repository(self, kind: Callable[[CaseStore], R]) -> R:
        """The repository ``kind`` bound to this transaction (built once per unit of work); the engine's own are
        also properties (``accounts``, ``city`` …), other packages' persistence layers pass their repository class."""
        found = self._repos.get(kind)
        if found is None:
            found = self._repos[kind] = kind(self.store)
        return cast(R, found)  # _repos holds, under each kind, the repository that kind built

    @property
    def accounts(self) -> AccountStore:
        """Users and API tokens."""
        return self.repository(AccountStore)

    @property
    def city(self) -> CityStore:
        """Districts, grids, the catalogue and the city's people."""
        return self.repository(CityStore)

    @property
    def drafts(self) -> DraftStore:
        """Designers' drafts."""
        return self.repository(DraftStore)

    @property
    def attachments(self) -> AttachmentStore:
        """Cases' evidence files."""
        return self.repository(AttachmentStore)

    def batch(self) -> AbstractContextManager[Any]:
        """Writes inside go to PostgreSQL in one round trip (psycopg pipeline); a no-op on SQLite."""
        if self.dialect.sqlite:
            return nullcontext()
        pipeline: AbstractContextManager[Any] = self._raw.driver_connection.pipeline()
        return pipeline
