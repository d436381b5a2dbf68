"""Run the Alembic migrations in migrations/ (tests build their schema this way too)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from engine.persistence.transport_records import PARTITION_PREFIX

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def compared_name(name: str | None, type_: str, _parents: object = None) -> bool:
    """Whether Alembic's comparison of the schema with the records looks at this object: not PostgreSQL's daily
    partitions of gps_positions and their indexes, which the records do not list (they come and go with time)."""
    return not (type_ in {"table", "index"} and name is not None and name.startswith(PARTITION_PREFIX))
