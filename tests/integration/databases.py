"""Test databases of the integration suite: a migrated SQLite file, or a fresh PostgreSQL schema.

PostgreSQL needs GRIDCASE_TEST_DATABASE_URL; `.ci/run` always sets it, so CI never skips these tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from city_template import migrated_sqlite, unique_name
from sqlalchemy.engine import Engine

from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database

PG_URL = os.environ.get("GRIDCASE_TEST_DATABASE_URL")
PG_HELP = "PostgreSQL tests need GRIDCASE_TEST_DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    """The test PostgreSQL server's URL (its database ``test``); without one, the test ends as ``migrated`` ends
    it (one place says why)."""
    if PG_URL is None:
        for _ in migrated("postgres", Path()):  # ends the test at once: nothing is created
            pass
    assert PG_URL is not None
    return PG_URL


def migrated(backend: str, folder: Path) -> Iterator[tuple[str, Engine]]:
    """(URL a child process can use, migrated engine) on ``backend``; a PostgreSQL schema is dropped after."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'gridcase.db'}"
        migrated_sqlite(folder / "gridcase.db")  # a copy of the session's migrated file (tests/city_template.py)
        engine = create_db_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()
        return
    if PG_URL is None:
        pytest.skip(PG_HELP)  # a machine without PostgreSQL; `make test` says so before running
    server = PG_URL
    schema = unique_name("gc_test")  # this xdist worker's own
    admin = create_db_engine(server)
    with admin.begin() as conn:  # raises (the test fails) when PostgreSQL is unreachable
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_db_engine(server, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade_database(engine)
        yield f"{server}?options=-csearch_path%3D{schema}", engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
