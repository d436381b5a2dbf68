"""Every migration downgrades, on SQLite and PostgreSQL: an empty database upgraded to head, then downgraded one
revision at a time to base, then upgraded to head again. After each downgrade to revision N the schema (tables,
columns, keys, indexes) is exactly what upgrading an empty database to N built; at base nothing is left but
Alembic's own table. The revisions are read from Alembic's script directory, so a new migration is walked too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from databases import PG_HELP, PG_URL
from sqlalchemy.engine import Engine

from engine.persistence.db import create_db_engine
from engine.persistence.migrate import alembic_config

BASE = "base"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database: a new SQLite file, or a new PostgreSQL schema (dropped after)."""
    if request.param == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    if PG_URL is None:
        pytest.skip(PG_HELP)
    schema = f"gc_mig_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = create_db_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _migrate(engine: Engine, action: str, revision: str) -> None:
    """``alembic upgrade|downgrade revision`` on ``engine``, in one transaction (as ``upgrade_database`` runs)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _revisions(engine: Engine) -> list[str]:
    """Every revision, oldest first (one line of history: a branch would make "one step" ambiguous)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1, f"the migrations have more than one head: {script.get_heads()}"
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def schema_of(engine: Engine) -> dict[str, Any]:
    """The tables with their columns (type, nullability, default), primary and foreign keys, unique and check
    constraints and indexes (name, columns, unique, partial condition), comparable with ``==``."""
    inspector = sa.inspect(engine)
    tables: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        columns = {c["name"]: (str(c["type"]), c["nullable"], str(c.get("default")))
                   for c in inspector.get_columns(table)}
        foreign = sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                         for f in inspector.get_foreign_keys(table))
        unique = sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table))
        checks = sorted(str(c["sqltext"]) for c in inspector.get_check_constraints(table))
        indexes = sorted((i["name"], tuple(str(c) for c in i["column_names"]), bool(i["unique"]),
                          str(i.get("dialect_options", {}).get(f"{engine.dialect.name}_where")))
                         for i in inspector.get_indexes(table))
        tables[table] = {"columns": columns, "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                         "foreign_keys": foreign, "unique": unique, "checks": checks, "indexes": indexes}
    return tables


def test_every_migration_downgrades_to_the_schema_before_it(empty_db: Engine) -> None:
    engine = empty_db
    revisions = _revisions(engine)
    assert len(revisions) >= 16 and revisions[0] == "0001"
    built: dict[str, dict[str, Any]] = {BASE: schema_of(engine)}
    for revision in revisions:  # upgrading an empty database to N, for each N
        _migrate(engine, "upgrade", revision)
        built[revision] = schema_of(engine)
        assert _current(engine) == revision
    assert built[revisions[-1]] != built[revisions[-2]]

    wrong: list[str] = []
    for below, revision in reversed(list(zip([BASE, *revisions[:-1]], revisions, strict=True))):
        try:
            _migrate(engine, "downgrade", below)
        except Exception as exc:  # the first failing downgrade is reported with its error
            pytest.fail(f"downgrade of {revision} (to {below}) failed: {type(exc).__name__}: {exc}")
        after = schema_of(engine)
        expected = built[below]
        if below == BASE:
            expected = {"alembic_version": after.get("alembic_version")} if "alembic_version" in after else {}
            assert _current(engine) is None
        else:
            assert _current(engine) == below
        if after != expected:
            wrong.append(f"downgrade of {revision} to {below}: {_differences(expected, after)}")
    assert not wrong, "\n".join(wrong)

    _migrate(engine, "upgrade", "head")
    assert _current(engine) == revisions[-1]
    assert schema_of(engine) == built[revisions[-1]]


def _differences(expected: dict[str, Any], found: dict[str, Any]) -> str:
    """Tables left over or missing, and the tables whose shape differs (what differs in each)."""
    parts = []
    extra, missing = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
    if extra:
        parts.append(f"tables left over {extra}")
    if missing:
        parts.append(f"tables missing {missing}")
    for table in sorted(set(found) & set(expected)):
        for key in expected[table]:
            if expected[table][key] != found[table][key]:
                parts.append(f"{table}.{key}: expected {expected[table][key]!r}, found {found[table][key]!r}")
    return "; ".join(parts)
