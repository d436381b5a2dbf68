"""The Alembic migrations build exactly the schema the records describe, and upgrade is idempotent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from engine.persistence.migrate import alembic_config, compared_name
from engine.persistence.records import Base

GRIDCASE = Path(sys.executable).with_name("gridcase")


def test_migrated_schema_matches_the_records(db: Engine) -> None:
    if db.dialect.name == "postgresql":  # a day's partition of gps_positions is no difference
        with db.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE gps_positions_p20261207 PARTITION OF gps_positions"
                                 " FOR VALUES FROM ('2026-12-07') TO ('2026-12-08')")
    with db.connect() as conn:
        opts = {"compare_type": True, "compare_server_default": True, "include_name": compared_name}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"migrations and records differ: {diff}"


def test_migrated_schema_is_at_head(db: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config(db)).get_current_head()
    with db.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_cli_db_upgrade_runs_twice_on_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "gridcase.db"
    url = f"sqlite:///{path}"
    env = {**os.environ, "GRIDCASE_LOG_LEVEL": "WARNING"}
    for _ in range(2):
        done = subprocess.run([str(GRIDCASE), "--database-url", url, "db", "upgrade"], capture_output=True,
                              text=True, timeout=60, env=env)
        assert done.returncode == 0, done.stderr
        assert "database at head" in done.stdout
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() is not None
            versions = conn.execute(sa.text("SELECT COUNT(*) FROM alembic_version")).scalar_one()
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert versions == 1
        assert diff == []
        assert set(sa.inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()
