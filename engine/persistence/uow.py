"""The unit of work: one connection, one transaction; only ``commit`` here ever commits."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy.engine import Connection, Engine

from engine.persistence.db import SqlDialect
from engine.persistence.store import CaseStore


class UnitOfWork:
    """Opens a transaction on enter; rolls back on exit unless ``commit`` was called."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = SqlDialect(engine.dialect.name)
        self.conn: Connection | None = None
        self.store: CaseStore | None = None

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        self.conn.begin()
        raw: Any = self.conn.connection.dbapi_connection
        self.store = CaseStore(raw, self.dialect)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self.conn is not None
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()
            self.conn = None
            self.store = None

    def commit(self) -> None:
        """Commit the one transaction of this unit of work."""
        assert self.conn is not None and self.store is not None
        self.store.close()
        self.conn.commit()

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection, for read queries in the same transaction."""
        assert self.conn is not None
        return self.conn
