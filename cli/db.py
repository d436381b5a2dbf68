"""``gridcase db``: the database schema (Alembic migrations)."""

from __future__ import annotations

import click

from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database
from web.settings import Settings


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply every migration (creates the database if needed)."""
    settings.ensure_sqlite_dir()
    upgrade_database(create_db_engine(settings.database_url))
    click.echo(f"database at head: {settings.database_url}")
