"""Integration tests: the real engine on SQLite and, when GRIDCASE_TEST_DATABASE_URL is set, PostgreSQL.

Every test database is built by running the Alembic migrations, so a missing migration fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import migrated
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.domain.clock import Clock, FakeClock
from engine.domain.commands import DeployProcesses
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
@pytest.fixture(params=["sqlite", "postgres"])
def db_url_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """(URL a child process can use, migrated engine) on each backend."""
    yield from migrated(request.param, tmp_path)


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
    bus.handle(DeployProcesses(read_sources([FIXTURES]), "tests"))
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
        new_bus.handle(DeployProcesses(read_sources([FIXTURES]), "tests"))
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


@pytest.fixture(autouse=True)
def _city_zone_restored() -> Iterator[None]:
    """The city's time zone is the process's (a package load sets it): put the default back after each test."""
    yield
    from engine.domain.city_zone import use_city_zone

    use_city_zone(None)
