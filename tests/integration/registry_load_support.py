"""What the registry load tests (transport 渣土, assessment 考评) share: a registry CSV read into rows and written
back (as the demo's generators write them: ``demo.registry_files.csv_text``), and whether another load could take the
loads' lock right now."""

from __future__ import annotations

import csv
import io
import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from demo.registry_files import csv_text

__all__ = ["another_load_may_start", "csv_rows", "csv_text"]


def csv_rows(text: str) -> list[dict[str, str]]:
    """A registry CSV's rows."""
    return list(csv.DictReader(io.StringIO(text)))


def another_load_may_start(engine: Engine, lock_key: int) -> bool:
    """Whether a second load could take the loads' lock right now (asked from another connection, never waiting):
    PostgreSQL's advisory lock ``lock_key`` (the registry's ``REGISTRY_LOCK_KEY``), SQLite's writer lock."""
    if engine.dialect.name == "sqlite":
        probe = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            probe.close()
    with engine.connect() as conn:
        taken = bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key}).scalar_one())
        conn.rollback()
        return taken
