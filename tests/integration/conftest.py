"""Integration tests: the real engine on SQLite and, when GRIDCASE_TEST_DATABASE_URL is set, PostgreSQL.

Every test database is built by running the Alembic migrations, so a missing migration fails here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.domain.clock import Clock, FakeClock
from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database
from engine.service.bootstrap import bootstrap
from engine.service.bus import MessageBus
from engine.service.deploy import deploy, read_sources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
PG_URL = os.environ.get("GRIDCASE_TEST_DATABASE_URL")
PG_HELP = "PostgreSQL tests need GRIDCASE_TEST_DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/test"


def _postgres_engine() -> Iterator[tuple[Engine, str]]:
    """A fresh schema in the test database, dropped afterwards. Unreachable PostgreSQL fails loudly."""
    assert PG_URL is not None
    schema = f"gc_test_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:  # raises (test fails) when PostgreSQL is unreachable
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_db_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine, schema
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """(URL a child process can use, migrated engine) on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gridcase.db'}"
        engine = create_db_engine(url)
        upgrade_database(engine)
        yield url, engine
        engine.dispose()
        return
    if PG_URL is None:
        pytest.skip(PG_HELP)
    for engine, schema in _postgres_engine():
        upgrade_database(engine)
        yield f"{PG_URL}?options=-csearch_path%3D{schema}", engine


@pytest.fixture
def db(db_url_engine: tuple[str, Engine]) -> Engine:
    return db_url_engine[1]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bus(db: Engine, clock: FakeClock) -> MessageBus:
    """The engine over the test database, fixtures deployed, every step checked against a reload."""
    bus = bootstrap(db, clock, verify_state=True)
    deploy(bus.deps, read_sources([FIXTURES]), "tests")
    return bus


@pytest.fixture
def sql(db: Engine) -> Callable[..., list[sa.Row]]:
    """``sql("SELECT …", name=value)``: run a read query on the test database, for assertions."""

    def run(statement: str, **params: object) -> list[sa.Row]:
        with db.connect() as conn:
            return list(conn.execute(sa.text(statement), params))

    return run


@pytest.fixture
def make_bus(db: Engine) -> Callable[..., MessageBus]:
    """``make_bus(clock, **options)``: a separate bus (own caches) over the test database, fixtures deployed."""

    def build(clock: Clock | None = None, **options: Any) -> MessageBus:
        new_bus = bootstrap(db, clock or FakeClock(), **options)
        deploy(new_bus.deps, read_sources([FIXTURES]), "tests")
        return new_bus

    return build


# The API tests' city: demo city and lifecycle deployed once per module and backend (seeding takes seconds).
@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from api_support import seeded_city

    yield from seeded_city(request.param, tmp_path_factory)


@pytest.fixture
def api(city: str, tmp_path: Path) -> Iterator[Any]:
    """The app over the module's city, with a test client that speaks as demo users."""
    from api_support import Api

    client = Api(city, tmp_path)
    yield client
    client.close()
