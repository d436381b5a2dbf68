"""The unit of work: one pooled DBAPI connection, one transaction; only ``commit`` here commits."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine

from engine.domain.errors import ConcurrencyConflict
from engine.persistence.db import SqlDialect, is_lock_timeout
from engine.persistence.store import CaseStore


class UnitOfWork:
    """Opens a transaction on enter; rolls back on exit unless ``commit`` was called.

    It works on the pooled DBAPI connection directly: every command passes through here, and the
    SQLAlchemy Connection layer costs more per statement than the statements themselves.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self.dialect = SqlDialect(engine.dialect.name)
        self._raw: Any = None
        self._store: CaseStore | None = None
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self._raw = self.engine.raw_connection()
        if self.dialect.sqlite:
            # The driver's implicit transactions are off (see db.py): a writer takes the lock up front.
            try:
                self._raw.driver_connection.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
            except Exception as exc:
                self._raw.close()
                if is_lock_timeout(exc):
                    raise ConcurrencyConflict("the database stayed locked by other work; retry") from exc
                raise
        self._store = CaseStore(self._raw.driver_connection, self.dialect)
        self._committed = False
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._committed:
                self._raw.rollback()
        finally:
            if self._store is not None:
                self._store.close()
            self._raw.close()
            self._raw = None
            self._store = None
        if exc is not None and is_lock_timeout(exc):
            raise ConcurrencyConflict("the database stayed locked by other work; retry") from exc

    @property
    def store(self) -> CaseStore:
        """The repository bound to this transaction."""
        if self._store is None:
            raise RuntimeError("the unit of work is not open")
        return self._store

    def batch(self) -> AbstractContextManager[Any]:
        """Writes inside go to PostgreSQL in one round trip (psycopg pipeline); a no-op on SQLite."""
        if self.dialect.sqlite:
            return nullcontext()
        return self._raw.driver_connection.pipeline()

    def commit(self) -> None:
        """Commit the one transaction of this unit of work."""
        self._raw.commit()
        self._committed = True
