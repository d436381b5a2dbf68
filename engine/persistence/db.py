"""Database engines: SQLite (WAL, IMMEDIATE transactions, fsync on every commit) by default, PostgreSQL in
production; how every new connection is set up (``SessionSettings``), and what durability it got (``durability``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from engine.persistence import group_commit

# SQLite's synchronous levels gridcase accepts, by name, and the numbers ``PRAGMA synchronous`` reads back.
SQLITE_SYNCHRONOUS = ("full", "normal")
_SYNCHRONOUS_NAMES = {0: "off", 1: "normal", 2: "full", 3: "extra"}
_MAX_TIMEOUT = (2**31 - 1) // 1000  # PostgreSQL keeps its timeouts as int milliseconds


@dataclass(frozen=True)
class SessionSettings:
    """What every new connection is set to (``GRIDCASE_SQLITE_SYNCHRONOUS``, ``GRIDCASE_SQLITE_GROUP_COMMIT``,
    ``GRIDCASE_PG_*_TIMEOUT``).

    ``sqlite_synchronous``: ``full`` (the default) syncs the write-ahead log on every commit, so a command
    acknowledged is on disk; ``normal`` syncs only at checkpoints: faster, and a power loss (not a crash of the
    process) may take back the last commits. ``sqlite_group_commit`` (on by default): commands of one process running
    at the same time share one SQLite transaction, one savepoint each, and one commit; each is acknowledged only
    after that commit (``group_commit.py``). ``statement_timeout``/``idle_in_transaction_timeout``: PostgreSQL
    cancels a statement running longer, and ends a session idling inside a transaction longer, in seconds;
    0 leaves the server's own setting (none by default). Bare engines (migrations, imports) set none; the
    servers set what the settings say (``web.settings.Settings.session_settings``).
    """

    sqlite_synchronous: str = "full"
    statement_timeout: float = 0.0
    idle_in_transaction_timeout: float = 0.0
    sqlite_group_commit: bool = True

    def __post_init__(self) -> None:
        if self.sqlite_synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"GRIDCASE_SQLITE_SYNCHRONOUS must be {' or '.join(SQLITE_SYNCHRONOUS)}, "
                             f"not {self.sqlite_synchronous!r}")
        for name, variable in (("statement_timeout", "GRIDCASE_PG_STATEMENT_TIMEOUT"),
                               ("idle_in_transaction_timeout", "GRIDCASE_PG_IDLE_IN_TRANSACTION_TIMEOUT")):
            if not 0 <= getattr(self, name) <= _MAX_TIMEOUT:  # also refuses NaN and infinity
                raise ValueError(f"{variable} must be 0 (no limit) or a number of seconds up to {_MAX_TIMEOUT}, "
                                 f"not {getattr(self, name)!r}")

    def postgres_options(self) -> str:
        """libpq ``options`` that set the timeouts when the session starts (no round trip of their own)."""
        options = []
        for setting, seconds in (("statement_timeout", self.statement_timeout),
                                 ("idle_in_transaction_session_timeout", self.idle_in_transaction_timeout)):
            if seconds:
                options.append(f"-c {setting}={max(1, round(seconds * 1000))}")  # milliseconds; 0 would mean off
        return " ".join(options)


def create_db_engine(url: str, session: SessionSettings | None = None, **kwargs: Any) -> Engine:
    """Create an engine tuned for gridcase's one-transaction-per-command pattern; each new connection is set up
    as ``session`` says (default: SQLite synchronous FULL, no PostgreSQL timeouts)."""
    session = session or SessionSettings()
    if url.startswith("sqlite"):
        return _sqlite_engine(url, session, **kwargs)
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3, not SQLAlchemy's psycopg2 default
    # No pre-ping: it costs a round trip per command; recycle connections instead.
    engine = sa.create_engine(url, pool_recycle=1800, pool_reset_on_return=None, **kwargs)
    options = session.postgres_options()
    if options and engine.dialect.name == "postgresql":

        @event.listens_for(engine, "do_connect")
        def _timeouts(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
            # Added to whatever options the URL or connect_args carry (a test's search_path), not instead.
            cparams["options"] = f"{cparams['options']} {options}" if cparams.get("options") else options

    return engine


def _sqlite_engine(url: str, session: SessionSettings, **kwargs: Any) -> Engine:
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
        # FULL: the log is synced at every commit, so an acknowledged command survives a power loss too.
        cursor.execute(f"PRAGMA synchronous={session.sqlite_synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    if session.sqlite_group_commit:  # a writer waits for the batch no longer than for the lock itself
        group_commit.install(engine, lock_timeout=float(connect_args["timeout"]))
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


def iso_utc(moment: datetime | None) -> str | None:
    """An aware time as ISO 8601 UTC text, as the API and pages give times (None stays None)."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


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


T = TypeVar("T")


def retry_unique(execute: Callable[[str], Any], savepoint: str, tries: int, attempt: Callable[[], T]) -> T:
    """``attempt()``'s result, called again (up to ``tries`` times) while it fails on a unique violation — another
    transaction took the number or code it chose first. Each try runs in the savepoint ``savepoint`` (``execute``
    runs one statement), so a violation leaves the caller's transaction usable; the last try's error is raised."""
    for left in range(tries - 1, -1, -1):
        execute(f"SAVEPOINT {savepoint}")
        try:
            result = attempt()
        except Exception as exc:
            execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            if not is_unique_violation(exc) or left == 0:
                raise
            continue
        execute(f"RELEASE SAVEPOINT {savepoint}")
        return result
    raise ValueError("retry_unique needs at least one try")


def is_lock_timeout(exc: BaseException) -> bool:
    """True when SQLite gave up waiting for its lock (busy_timeout) or PostgreSQL for a lock."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in ("55P03", "40P01"):  # lock_not_available, deadlock_detected
        return True
    return type(orig).__name__ == "OperationalError" and "locked" in str(orig)


def is_missing_table(exc: BaseException) -> bool:
    """True when a statement named a table the database lacks (SQLite, or PostgreSQL's undefined_table 42P01): a
    database not migrated yet."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "42P01":
        return True
    return type(orig).__name__ == "OperationalError" and "no such table" in str(orig)


def is_cancelled(exc: BaseException) -> bool:
    """True when PostgreSQL cancelled the work: a statement past ``statement_timeout`` (57014) or a session
    idle in its transaction past ``idle_in_transaction_session_timeout`` (25P03)."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) in ("57014", "25P03")


def durability(engine: Engine) -> dict[str, str]:
    """What a commit on ``engine``'s connections waits for: SQLite's journal mode and synchronous level, or
    PostgreSQL's ``synchronous_commit`` and ``fsync`` (the benches report it beside their figures)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            return {"database": "sqlite", "journal_mode": str(journal),
                    "synchronous": _SYNCHRONOUS_NAMES.get(int(level or 0), str(level))}
        found = {"database": engine.dialect.name}
        for setting in ("synchronous_commit", "fsync", "statement_timeout", "idle_in_transaction_session_timeout"):
            found[setting] = str(conn.exec_driver_sql(f"SHOW {setting}").scalar())
        return found


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
