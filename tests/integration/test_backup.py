"""``gridcase db backup`` while the city keeps working, restored into a fresh database that ``gridcase replay verify
--all`` then verifies: SQLite (the online backup API, copied into a fresh file) and PostgreSQL (pg_dump's custom
format, pg_restore into a fresh database). Refusals leave the target as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from databases import PG_URL, migrated, seeded
from sqlalchemy.engine import Engine

from city import commands as cc
from city.bootstrap import bootstrap
from engine.domain.clock import SystemClock
from engine.persistence.backup import pg_connection_uri
from engine.persistence.db import create_db_engine

GRIDCASE = Path(sys.executable).with_name("gridcase")
ENV = {k: v for k, v in os.environ.items() if k != "GRIDCASE_DATABASE_URL"} | {"GRIDCASE_LOG_LEVEL": "WARNING"}


def gridcase(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GRIDCASE), "--database-url", url, *args], capture_output=True, text=True,
                          timeout=300, env=ENV, check=False)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def simulated(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    """Two simulated days of cases worked through the lifecycle (timers included) on ``backend``: on SQLite a copy of
    the seeded city (tests/city_template.py); on PostgreSQL a migrated schema seeded here (``db backup`` dumps the
    URL's schema, so the city must live in one)."""
    folder = tmp_path_factory.mktemp("backup")
    cities = seeded(backend, tmp_path_factory) if backend == "sqlite" else migrated(backend, folder)
    for url, engine in cities:
        if backend == "postgres":
            ok(gridcase(url, "demo", "seed"))
            ok(gridcase(url, "process", "deploy", "workflows", "rules"))
        ok(gridcase(url, "demo", "simulate", "--days", "2", "--start", "2026-11-02", "--seed", "7", "--per-day",
                    "10", "--json"))
        yield url, engine


@pytest.fixture(scope="module")
def sqlite_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    yield from simulated("sqlite", tmp_path_factory)


@pytest.fixture(scope="module")
def pg_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    yield from simulated("postgres", tmp_path_factory)


def count_cases(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT COUNT(*) FROM cases")).scalar_one())


def backup_while_reporting(url: str, target: Path) -> dict[str, object]:
    """Run ``gridcase db backup`` while another thread keeps reporting cases through the bus."""
    bus, stop, reported = bootstrap(url, SystemClock()), threading.Event(), []

    def report() -> None:
        while not stop.is_set() and len(reported) < 200:
            reported.append(bus.handle(cc.ReportProblem(
                subtype_code="0601", description="backup test", lon=117.65, lat=24.51, channel="hotline",
                external_id=f"backup-{uuid.uuid4().hex}", actor="seat01")))

    writer = threading.Thread(target=report)
    writer.start()
    try:
        written: dict[str, object] = json.loads(ok(gridcase(url, "db", "backup", "--json", str(target))))
    finally:
        stop.set()
        writer.join(60)
        bus.deps.db.dispose()
    assert reported, "the writer reported nothing while the backup ran"
    return written


def test_a_sqlite_backup_restores_into_a_fresh_file_that_verifies(sqlite_city: tuple[str, Engine],
                                                                   tmp_path: Path) -> None:
    url, engine = sqlite_city
    written = backup_while_reporting(url, tmp_path / "gridcase.backup")
    assert written["database"] == "sqlite"
    restored = tmp_path / "restored" / "gridcase.db"
    restored.parent.mkdir()
    shutil.copyfile(tmp_path / "gridcase.backup", restored)
    fresh = f"sqlite:///{restored}"
    summary = json.loads(ok(gridcase(fresh, "replay", "verify", "--all", "--json")))
    assert summary["ok"] and summary["cases"] == count_cases(create_db_engine(fresh)) > 10
    assert summary["cases"] <= count_cases(engine)


def test_an_existing_file_is_refused_unless_forced(sqlite_city: tuple[str, Engine], tmp_path: Path) -> None:
    url, _ = sqlite_city
    target = tmp_path / "existing.db"
    target.write_bytes(b"keep me")
    refused = gridcase(url, "db", "backup", str(target))
    assert refused.returncode == 1 and f"{target} is a file that exists already: give --force" in refused.stderr
    assert target.read_bytes() == b"keep me"
    ok(gridcase(url, "db", "backup", "--force", str(target)))
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    for args, message in ((["backup", str(tmp_path / "no" / "x.db")], f"{tmp_path / 'no'} is not a folder"),
                          (["backup", str(tmp_path)], f"{tmp_path} is a folder that exists already")):
        done = gridcase(url, "db", *args)
        assert done.returncode == 1 and message in done.stderr, done.stderr
    missing = gridcase(f"sqlite:///{tmp_path / 'none.db'}", "db", "backup", str(tmp_path / "b.db"))
    assert missing.returncode == 1 and "no SQLite database at" in missing.stderr
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "b.db").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["existing.db"]  # no partial file left behind


def test_a_postgresql_dump_restores_into_a_fresh_database_that_verifies(pg_city: tuple[str, Engine],
                                                                        tmp_path: Path) -> None:
    url, engine = pg_city
    assert shutil.which("pg_restore"), "PostgreSQL tests need the client tools (pg_dump, pg_restore) on PATH"
    dump = tmp_path / "gridcase.dump"
    assert backup_while_reporting(url, dump)["database"] == "postgresql"
    _, schema = pg_connection_uri(url)
    assert PG_URL is not None and schema is not None
    with fresh_database(PG_URL) as (fresh_uri, fresh_url):
        done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={fresh_uri}", str(dump)],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        restored = f"{fresh_url}?options=-csearch_path%3D{schema}"
        summary = json.loads(ok(gridcase(restored, "replay", "verify", "--all", "--json")))
        restored_engine = create_db_engine(restored)
        try:
            assert summary["ok"] and summary["cases"] == count_cases(restored_engine) > 10
        finally:
            restored_engine.dispose()
    assert summary["cases"] <= count_cases(engine)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[tuple[str, str]]:
    """A new, empty PostgreSQL database on the test server: (libpq URI, URL); dropped afterwards."""
    name = f"gc_restore_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    base = admin_url.split("?")[0].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}", f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()
