"""Test databases of the integration suite: a migrated SQLite file, or a migrated PostgreSQL schema; or a copy of the
seeded city (``seeded``: demo city and lifecycle, ``tests/city_template.py``) for tests whose subject comes after it.

PostgreSQL needs GRIDCASE_TEST_DATABASE_URL; `.ci/run` always sets it, so CI never skips these tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from city_template import migrated_sqlite, postgres_city, postgres_migrated, sqlite_city
from sqlalchemy.engine import Engine

from engine.persistence.db import create_db_engine

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
    """(URL a child process can use, migrated engine) on ``backend``; a PostgreSQL database (of the test alone, its
    tables in a schema named by the URL's ``search_path``) is dropped after."""
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
    # a database of this test alone, copied from the session's migrated one (raises when PostgreSQL is unreachable)
    with postgres_migrated(PG_URL) as (database, schema):
        engine = create_db_engine(database, connect_args={"options": f"-csearch_path={schema}"})
        try:
            yield f"{database}?options=-csearch_path%3D{schema}", engine
        finally:
            engine.dispose()


def seeded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """(URL a child process can use, engine) on a copy of the session's seeded city (``gridcase demo seed`` and
    ``process deploy workflows rules`` run once per session: ``tests/city_template.py``) on ``backend``; a
    PostgreSQL copy is a database of its own, dropped after."""
    if backend == "sqlite":
        yield from _engine_on(sqlite_city(tmp_path_factory, tmp_path_factory.mktemp("seeded")))
        return
    with postgres_city(pg_url()) as url:
        yield from _engine_on(url)


def _engine_on(url: str) -> Iterator[tuple[str, Engine]]:
    engine = create_db_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
