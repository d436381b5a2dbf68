"""Alembic environment: runs gridcase's migrations on the connection or URL it is given."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from engine.persistence.migrate import compared_name
from engine.persistence.records import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      include_name=compared_name)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
