"""PostgreSQL sessions of the servers are bounded (issue 16 item 1, the database part): every connection starts with
``statement_timeout`` and ``idle_in_transaction_session_timeout`` from the settings; a command whose statement runs
past the limit fails cleanly (nothing written, the connection usable again); gunicorn gets a worker ``--timeout``.

The slow statements are the test's own SQL: a lock the test holds, ``pg_sleep``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from databases import migrated
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from cli.servers import gunicorn_command
from engine.domain import commands as c
from engine.domain.clock import FakeClock
from engine.domain.errors import DatabaseBusy
from engine.persistence.db import SessionSettings, create_db_engine
from engine.service.deploy import read_sources
from web.app import create_app
from web.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
QUICK = SessionSettings(statement_timeout=0.2, idle_in_transaction_timeout=0.2)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """(URL, engine without limits) of a migrated PostgreSQL schema of the test's own."""
    yield from migrated("postgres", tmp_path)


def setting(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql(f"SHOW {name}").scalar())


def test_each_connection_starts_with_the_timeouts(postgres: tuple[str, Engine]) -> None:
    url, _ = postgres
    quick = create_db_engine(url, QUICK)
    assert (setting(quick, "statement_timeout"), setting(quick, "idle_in_transaction_session_timeout")) == (
        "200ms", "200ms")
    assert setting(quick, "search_path").startswith("gc_test_")  # added to the URL's own options, not instead
    env = {"GRIDCASE_DATABASE_URL": url, "GRIDCASE_SECRET_KEY": "test"}
    defaults = create_app(Settings.from_env(env)).extensions["gridcase.bus"].deps.db
    assert (setting(defaults, "statement_timeout"), setting(defaults, "idle_in_transaction_session_timeout")) == (
        "30s", "1min")
    tuned = create_app(Settings.from_env({**env, "GRIDCASE_PG_STATEMENT_TIMEOUT": "7.5",
                                          "GRIDCASE_PG_IDLE_IN_TRANSACTION_TIMEOUT": "0"})).extensions[
        "gridcase.bus"].deps.db
    assert (setting(tuned, "statement_timeout"), setting(tuned, "idle_in_transaction_session_timeout")) == (
        "7500ms", "0")
    for engine in (quick, defaults, tuned):
        engine.dispose()


def test_a_command_stuck_past_the_statement_timeout_fails_cleanly(postgres: tuple[str, Engine]) -> None:
    url, holder = postgres
    bus = bootstrap(create_db_engine(url, QUICK), FakeClock())
    bus.handle(c.DeployProcesses(read_sources([FIXTURES]), "tests"))
    ref = bus.handle(c.StartCase("round_loop", {"again": True}, "seat01"))
    task = ref.ready_tasks[0]
    before = holder_rows(holder, ref.case_id)
    with holder.begin() as conn:  # another session holds the case row: the command's lock waits, then is cancelled
        conn.exec_driver_sql("SELECT id FROM cases WHERE id = %s FOR UPDATE", (ref.case_id,))
        with pytest.raises(DatabaseBusy, match="ran past its timeout") as cancelled:
            bus.handle(c.CompleteHumanTask(task, {"again": False}, "collector001"))
    assert isinstance(cancelled.value.__cause__, psycopg.errors.QueryCanceled)  # a 503 over HTTP, not a 500
    assert cancelled.value.http_status == 503
    assert holder_rows(holder, ref.case_id) == before  # nothing of the command was written
    done = bus.handle(c.CompleteHumanTask(task, {"again": False}, "collector001"))  # the pool's connection works
    assert done.case_id == ref.case_id and holder_rows(holder, ref.case_id) != before
    bus.deps.db.dispose()


def holder_rows(engine: Engine, case_id: int) -> tuple[int, int, str]:
    """(version, events, status) of the case."""
    with engine.connect() as conn:
        version, status = conn.execute(sa.text("SELECT version, status FROM cases WHERE id = :id"),
                                       {"id": case_id}).one()
        events = conn.execute(sa.text("SELECT COUNT(*) FROM case_events WHERE case_id = :id"), {"id": case_id})
        return int(version), int(events.scalar_one()), str(status)


def test_a_slow_statement_is_cancelled_and_the_connection_recovers(postgres: tuple[str, Engine]) -> None:
    url, _ = postgres
    quick = create_db_engine(url, QUICK)
    with quick.connect() as conn:
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            conn.exec_driver_sql("SELECT pg_sleep(5)")
        conn.rollback()
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    quick.dispose()


def test_a_session_idle_in_a_transaction_is_ended(postgres: tuple[str, Engine]) -> None:
    url, _ = postgres
    quick = create_db_engine(url, QUICK)
    with quick.connect() as conn:
        conn.exec_driver_sql("SELECT 1")  # a transaction is open now
        time.sleep(1.0)  # idle in it well past 200 ms: the server ends the session
        with pytest.raises(sa.exc.DBAPIError, match="idle-in-transaction timeout"):
            conn.exec_driver_sql("SELECT 1")
    with quick.connect() as conn:  # the pool gives a new connection
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    quick.dispose()


def test_gunicorn_gets_the_worker_timeout() -> None:
    command = gunicorn_command(Settings.from_env({"GRIDCASE_WORKER_TIMEOUT": "45"}), 2, 4)
    assert command[command.index("--timeout") + 1] == "45"
    default = gunicorn_command(Settings.from_env({}), 2, 4)
    assert default[default.index("--timeout") + 1] == "60"
