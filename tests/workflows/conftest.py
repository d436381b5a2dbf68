"""Workflow tests: every path of every fixture process, on a migrated SQLite database in tmp_path.

Each bus checks the stored state against the live workflow after every command (``verify_state``);
the ``cold`` variants keep no hot workflows, so every command restores its case from the rows.
Time moves only through ``clock.advance``/``clock.set``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from city_template import migrated_sqlite
from fixture_types import Sql
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from city.grids.index import GridIndex, cells_from_features
from engine.domain.audit import chain as audit_chain
from engine.domain.clock import FakeClock
from engine.domain.commands import DeployProcesses
from engine.persistence.db import create_db_engine
from engine.persistence.repositories import audit as audit_store
from engine.persistence.uow import UnitOfWork
from engine.service.audit.replay import verify_case
from engine.service.bus import MessageBus
from engine.service.deploy import read_sources
from web.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database built by the Alembic migrations (run once per session: a copy of their result)."""
    migrated_sqlite(tmp_path / "workflows.db")
    engine = create_db_engine(f"sqlite:///{tmp_path / 'workflows.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def replay_every_case(request: pytest.FixtureRequest, buses: list[MessageBus]) -> None:
    """Every path must replay: after the test, each case re-runs from its recorded inputs to the
    identical events (tests that tamper with the log on purpose are marked ``tampers``)."""
    if not buses or request.node.get_closest_marker("tampers") is not None:
        return
    deps = buses[0].deps
    with deps.uow(read_only=True) as uow:
        case_ids = audit_store.case_ids(uow.store)
    for case_id in case_ids:
        result = verify_case(deps, case_id)
        assert result.verified, f"case {case_id} does not replay: {result.divergence and result.divergence.describe()}"


@pytest.fixture
def make_bus(db: Engine, clock: FakeClock, request: pytest.FixtureRequest) -> Iterator[Callable[..., MessageBus]]:
    """``make_bus(**bootstrap_options)``: a verifying bus with every fixture process deployed."""
    buses: list[MessageBus] = []

    def build(**options: Any) -> MessageBus:
        options.setdefault("working_time", Settings.from_env({}).working_time())
        bus = bootstrap(db, clock, verify_state=True, **options)
        bus.handle(DeployProcesses(read_sources([FIXTURES]), "tests"))
        buses.append(bus)
        return bus

    yield build
    replay_every_case(request, buses)


@pytest.fixture
def bus(make_bus: Callable[..., MessageBus]) -> MessageBus:
    """Hot workflows cached between commands (the production default)."""
    return make_bus()


@pytest.fixture
def cold_bus(make_bus: Callable[..., MessageBus]) -> MessageBus:
    """No cache: every command restores its case from the stored rows."""
    return make_bus(cache_size=0)


@pytest.fixture(params=["hot", "cold"])
def each_bus(request: pytest.FixtureRequest, make_bus: Callable[..., MessageBus]) -> MessageBus:
    """The same test once with the workflow cache and once restoring from rows at every step."""
    return make_bus() if request.param == "hot" else make_bus(cache_size=0)


@pytest.fixture
def sql(db: Engine) -> Sql:
    """``sql("SELECT …", name=value)``: run a read query on the test database, for assertions."""

    def run(statement: str, **params: object) -> list[sa.Row]:
        with db.connect() as conn:
            return list(conn.execute(sa.text(statement), params))

    return run


@pytest.fixture
def events(sql: Sql) -> Callable[[int], list[sa.Row]]:
    """``events(case_id)``: the case's audit rows in order."""

    def run(case_id: int) -> list[sa.Row]:
        return sql("SELECT seq, event_type, task_id, bpmn_id, data, actor, occurred_at FROM case_events"
                   " WHERE case_id = :id ORDER BY seq", id=case_id)

    return run


@pytest.fixture
def human_task(sql: Sql) -> Callable[[str], sa.Row]:
    """``human_task(task_id)``: the task-list row of one human task."""

    def run(task_id: str) -> sa.Row:
        (row,) = sql("SELECT * FROM human_tasks WHERE id = :id", id=task_id)
        return row

    return run


@pytest.fixture
def task_data(sql: Sql) -> Callable[[int, str], list[dict[str, Any]]]:
    """``task_data(case_id, spec_name)``: the stored data of each task of that spec, oldest first."""

    def run(case_id: int, spec_name: str) -> list[dict[str, Any]]:
        rows = sql("SELECT d.data FROM workflow_tasks t"
                   " JOIN task_data d ON d.case_id = t.case_id AND d.hash = t.data_hash"
                   " WHERE t.case_id = :id AND t.spec_name = :spec ORDER BY t.last_state_change",
                   id=case_id, spec=spec_name)
        return [json.loads(r.data) for r in rows]

    return run


@pytest.fixture
def snapshot(sql: Sql) -> Callable[[int], dict[str, list[tuple[Any, ...]]]]:
    """``snapshot(case_id)``: every stored row of the case, to prove a command wrote nothing."""
    queries = {
        "case": "SELECT * FROM cases WHERE id = :id",
        "events": "SELECT * FROM case_events WHERE case_id = :id ORDER BY seq",
        "workflow_tasks": "SELECT * FROM workflow_tasks WHERE case_id = :id ORDER BY task_id",
        "human_tasks": "SELECT * FROM human_tasks WHERE case_id = :id ORDER BY id",
        "timers": "SELECT * FROM timers WHERE case_id = :id ORDER BY id",
        "message_waits": "SELECT * FROM message_waits WHERE case_id = :id ORDER BY id",
        "task_data": "SELECT case_id, hash FROM task_data ORDER BY case_id, hash",
    }

    def run(case_id: int) -> dict[str, list[tuple[Any, ...]]]:
        return {name: [tuple(r) for r in sql(q, id=case_id)] for name, q in queries.items()}

    return run


@pytest.fixture
def chain_problems(db: Engine) -> Callable[[int], list[str]]:
    """``chain_problems(case_id)``: every way the case's audit chain fails to verify (empty when intact)."""

    def run(case_id: int) -> list[str]:
        with UnitOfWork(db, read_only=True) as uow:
            events, head = audit_store.stored_events(uow.store, case_id), audit_store.case_head(uow.store, case_id)
        assert head is not None
        return [f"seq {p.seq}: {p.field}: {p.reason}" for p in audit_chain.chain_problems(events, head[:2])]

    return run


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def city_grid() -> GridIndex:
    """The demo city's grid index, built once from config/city/zhangzhou."""
    features = json.loads((ROOT / "config" / "city" / "zhangzhou" / "unit_grids.geojson").read_text("utf-8"))
    return GridIndex(cells_from_features(features["features"]))


@pytest.fixture
def make_city_bus(db: Engine, clock: FakeClock, city_grid: GridIndex,
                  request: pytest.FixtureRequest) -> Iterator[Callable[..., MessageBus]]:
    """``make_city_bus(models=None, **bootstrap_options)``: a verifying bus with workflows/ and rules/ deployed (or
    only ``models``: files and folders), on the demo city."""
    buses: list[MessageBus] = []

    def build(*, models: list[Path] | None = None, **options: Any) -> MessageBus:
        options.setdefault("working_time", Settings.from_env({}).working_time())
        options.setdefault("workflows_dir", None)  # the models' own checks; forms are checked in tests/integration
        bus = bootstrap(db, clock, verify_state=True, grid_index=city_grid, **options)
        bus.handle(DeployProcesses(read_sources(models or [ROOT / "workflows", ROOT / "rules"]), "tests"))
        buses.append(bus)
        return bus

    yield build
    replay_every_case(request, buses)


@pytest.fixture(params=["hot", "cold"])
def city_bus(request: pytest.FixtureRequest, make_city_bus: Callable[..., MessageBus]) -> MessageBus:
    """The city's processes, once with the workflow cache and once restoring from rows at every step."""
    return make_city_bus() if request.param == "hot" else make_city_bus(cache_size=0)
