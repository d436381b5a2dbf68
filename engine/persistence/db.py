"""Database engines: SQLite (WAL, IMMEDIATE transactions) by default, PostgreSQL in production."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for gridcase's one-transaction-per-command pattern."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3, not SQLAlchemy's psycopg2 default
    # No pre-ping: it costs a round trip per command; recycle connections instead.
    return sa.create_engine(url, pool_recycle=1800, pool_reset_on_return=None, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    # Every unit of work ends its own transaction, so the pool need not roll back on return.
    # timeout: how long a writer waits for the lock (sqlite3 sets the busy timeout from it)
    connect_args = {"timeout": 30, "check_same_thread": False, **kwargs.pop("connect_args", {})}
    engine = sa.create_engine(url, connect_args=connect_args, pool_reset_on_return=None, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off; SQLAlchemy's begin emits BEGIN IMMEDIATE so
        # that writers queue on the lock instead of failing later with "database is locked".
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    return engine


class SqlDialect:
    """What the hand-written hot-path SQL needs to know about the database it runs on."""

    def __init__(self, name: str) -> None:
        self._last: tuple[datetime | None, Any] = (None, None)
        self.name = name
        self.sqlite = name == "sqlite"
        self.for_update = "" if self.sqlite else " FOR UPDATE"
        self.skip_locked = "" if self.sqlite else " FOR UPDATE SKIP LOCKED"

    def sql(self, text: str) -> str:
        """Statements are written with ``?`` placeholders; psycopg wants ``%s``."""
        return text if self.sqlite else text.replace("?", "%s")

    def stamp(self, moment: datetime | None) -> Any:
        """A datetime as this database stores it (SQLite: SQLAlchemy's naive UTC text format)."""
        if moment is None:
            return None
        if moment is self._last[0]:  # a command stamps many rows with the same instant
            return self._last[1]
        utc = moment.astimezone(UTC)
        value = utc.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite else utc
        self._last = (moment, value)
        return value


def as_utc(value: Any) -> datetime | None:
    """Read a stored timestamp back as an aware UTC datetime (SQLite returns naive values or text)."""
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_utc_not_null(value: Any) -> datetime:
    """``as_utc`` for a NOT NULL timestamp column: a NULL there is a broken schema, not a value."""
    moment = as_utc(value)
    if moment is None:
        raise ValueError("a NOT NULL timestamp column read as NULL")
    return moment


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint violation from SQLite or PostgreSQL (raw DBAPI or wrapped)."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "23505":
        return True
    return type(orig).__name__ == "IntegrityError" and "UNIQUE" in str(orig).upper()


def is_lock_timeout(exc: BaseException) -> bool:
    """True when SQLite gave up waiting for its lock (busy_timeout) or PostgreSQL for a lock."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in ("55P03", "40P01"):  # lock_not_available, deadlock_detected
        return True
    return type(orig).__name__ == "OperationalError" and "locked" in str(orig)


def vacuum_analyze(engine: Engine, tables: tuple[str, ...]) -> bool:
    """PostgreSQL: ``VACUUM (ANALYZE)`` the tables, outside a transaction as VACUUM requires. After a bulk
    load it marks the new pages all-visible, so index-only scans need not visit the table (autovacuum
    would, minutes later). Other databases: nothing (returns False)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
    return True
