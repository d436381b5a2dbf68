"""The seeded city of the integration and browser tests, built once per test session and backend, copied per use.

Seeding the demo city (``gridcase demo seed``: 4,226 grids, 6,940 components, the streets, the 1,008-row rules)
and deploying the lifecycle (``gridcase process deploy workflows rules``) takes seconds; dozens of modules each
want a pristine seeded city on SQLite and on PostgreSQL. So the command line seeds one *template* per backend the
first time one is asked for, as an operator would, and each use gets a byte-for-byte copy of it:

- SQLite: the template file is checkpointed (nothing left in its write-ahead log) and copied into the user's folder;
- PostgreSQL: a schema cannot be cloned, a database can: the template is a database of its own (``gc_tpl_…``), each
  copy a ``CREATE DATABASE gc_city_… TEMPLATE gc_tpl_…`` (PostgreSQL refuses while anyone is connected to the
  template: nobody is, the seeding processes have exited), dropped after its use. The copy's URL names that
  database instead of a ``search_path`` schema of the shared test database.

The same holds for an empty migrated database (the integration tests' ``db``, the workflow tests' ``db``): the Alembic
migrations run once per session and backend, each test gets a copy: of the file on SQLite (``migrated_sqlite``); on
PostgreSQL (``postgres_migrated``) a database of its own made from a template database holding one migrated schema
(``gc_test_…``), so the test's URL still names its schema through ``search_path``, as a deployment in a schema does,
and no other test shares its database (nor its ``NOTIFY`` channels, which are per database).

``drop_templates()`` (called when the session ends, ``tests/conftest.py``) drops the PostgreSQL template.

Under pytest-xdist (``make test``) each worker is a session of its own: its templates and copies carry its id
(``WORKER``, e.g. ``gw0``) besides a random part, so two workers (or two test runs on one server) never create or
drop each other's databases and files, and each worker's session end drops only its own template.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url

from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database

ROOT = Path(__file__).resolve().parents[1]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # the xdist worker (gw0, gw1, …); "main" without xdist
_SQLITE_TEMPLATE: list[Path] = []  # the session's seeded SQLite file, once built
_PG_TEMPLATES: dict[str, str] = {}  # server URL → the session's template database on it
_MIGRATED: list[Path] = []  # the session's migrated, empty SQLite file, once built
_PG_MIGRATED: dict[str, tuple[str, str]] = {}  # server URL → (template database, its migrated schema)


def gridcase(url: str, *args: str) -> None:
    """Run the ``gridcase`` command line against ``url``; assert it succeeded."""
    done = subprocess.run([sys.executable, "-m", "cli", "--database-url", url, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"gridcase {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


def seed(url: str) -> None:
    """Migrate the empty database at ``url``, load the demo city and deploy the lifecycle (workflows and rules)."""
    engine = create_db_engine(url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    gridcase(url, "demo", "seed")
    gridcase(url, "process", "deploy", "workflows", "rules")


def _checkpointed(path: Path) -> Path:
    """``path`` with its write-ahead log checkpointed into it: the file alone holds every commit, so copying it
    does not need the -wal file beside it."""
    connection = sqlite3.connect(path)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, f"{path} is still in use"
    finally:
        connection.close()
    return path


def unique_name(prefix: str) -> str:
    """A database, schema or folder name of this worker alone: ``prefix``, the worker's id and a random part."""
    return f"{prefix}_{WORKER}_{uuid.uuid4().hex[:12]}"


def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's seeded SQLite file (seeded on first use)."""
    if not _SQLITE_TEMPLATE:
        path = tmp_path_factory.mktemp("city_template") / "gridcase.db"
        seed(f"sqlite:///{path}")
        _SQLITE_TEMPLATE.append(_checkpointed(path))
    return _SQLITE_TEMPLATE[0]


def migrated_sqlite(target: Path) -> None:
    """An empty SQLite database built by the Alembic migrations, as ``target``: the migrations run once per session
    (they take a good part of a second), each use gets a copy of their result."""
    if not _MIGRATED:
        path = Path(tempfile.mkdtemp(prefix=f"gridcase-migrated-{WORKER}-")) / "gridcase.db"
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            upgrade_database(engine)
        finally:
            engine.dispose()
        _MIGRATED.append(_checkpointed(path))
    shutil.copyfile(_MIGRATED[0], target)


def sqlite_city(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> str:
    """A copy of the seeded city as ``folder/gridcase.db``; its URL."""
    target = folder / "gridcase.db"
    shutil.copyfile(sqlite_template(tmp_path_factory), target)
    return f"sqlite:///{target}"


def database_url(server_url: str, name: str) -> str:
    """``server_url`` naming the database ``name`` instead of its own."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _admin(server_url: str) -> Engine:
    return create_db_engine(server_url, isolation_level="AUTOCOMMIT")  # CREATE/DROP DATABASE run outside transactions


def _run(server_url: str, statement: str) -> None:
    admin = _admin(server_url)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        admin.dispose()


def postgres_template(server_url: str) -> str:
    """The session's seeded template database on the server of ``server_url`` (built on first use); its name."""
    if server_url not in _PG_TEMPLATES:
        name = unique_name("gc_tpl")
        _run(server_url, f"CREATE DATABASE {name}")
        try:
            seed(database_url(server_url, name))
        except BaseException:
            _run(server_url, f"DROP DATABASE {name} WITH (FORCE)")
            raise
        _PG_TEMPLATES[server_url] = name
    return _PG_TEMPLATES[server_url]


@contextmanager
def postgres_city(server_url: str) -> Iterator[str]:
    """A database of its own holding a copy of the seeded city, on the server of ``server_url``; its URL. Dropped
    when the ``with`` block ends (with any connection still open to it)."""
    template = postgres_template(server_url)
    name = unique_name("gc_city")
    _run(server_url, f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield database_url(server_url, name)
    finally:
        _collect_abandoned_connections()
        _run(server_url, f"DROP DATABASE {name} WITH (FORCE)")


def _collect_abandoned_connections() -> None:
    """Collect, now, the connections a module's apps and buses left to its city (engines never disposed: the product's
    live for the process). Left to the collector's own timing, one is finalised during a later module's test, where
    psycopg's "deleted while still open" ResourceWarning fails that unrelated test (filterwarnings = error)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def postgres_migrated_template(server_url: str) -> tuple[str, str]:
    """The session's template database holding one empty migrated schema, on the server of ``server_url`` (built
    on first use): (its name, the schema's name)."""
    if server_url not in _PG_MIGRATED:
        name, schema = unique_name("gc_mtpl"), unique_name("gc_test")
        _run(server_url, f"CREATE DATABASE {name}")
        try:
            engine = create_db_engine(database_url(server_url, name),
                                      connect_args={"options": f"-csearch_path={schema}"})
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
                upgrade_database(engine)
            finally:
                engine.dispose()
        except BaseException:
            _run(server_url, f"DROP DATABASE {name} WITH (FORCE)")
            raise
        _PG_MIGRATED[server_url] = (name, schema)
    return _PG_MIGRATED[server_url]


@contextmanager
def postgres_migrated(server_url: str) -> Iterator[tuple[str, str]]:
    """A database of its own holding an empty migrated schema, on the server of ``server_url``: (its URL, the
    schema). Dropped when the ``with`` block ends (with any connection still open to it)."""
    template, schema = postgres_migrated_template(server_url)
    name = unique_name("gc_test")
    _run(server_url, f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield database_url(server_url, name), schema
    finally:
        _run(server_url, f"DROP DATABASE {name} WITH (FORCE)")


def drop_templates() -> None:
    """Drop the session's PostgreSQL template databases (seeded and migrated) and migrated SQLite file (the seeded
    SQLite file is under pytest's temp folder, which pytest prunes)."""
    while _PG_TEMPLATES:
        server_url, name = _PG_TEMPLATES.popitem()
        _run(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    while _PG_MIGRATED:
        server_url, (name, _) = _PG_MIGRATED.popitem()
        _run(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    while _MIGRATED:
        shutil.rmtree(_MIGRATED.pop().parent, ignore_errors=True)
