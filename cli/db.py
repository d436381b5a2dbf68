"""``gridcase db``: the database schema (Alembic migrations) and online backups."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.persistence.backup import BackupFailed, backup_database
from engine.persistence.db import create_db_engine
from engine.persistence.migrate import upgrade_database
from web.settings import Settings


@click.group()
def db() -> None:
    """Database schema and backups."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply every migration (creates the database if needed)."""
    settings.ensure_sqlite_dir()
    upgrade_database(create_db_engine(settings.database_url))
    click.echo(f"database at head: {settings.database_url}")


@db.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
def db_backup(settings: Settings, file: Path, force: bool, as_json: bool) -> None:
    """Write a consistent copy of the database to FILE while the servers keep running.

    SQLite: the online backup API (FILE is a database file: restore by copying it into place with the servers
    stopped). PostgreSQL: pg_dump's custom format (restore with pg_restore into a fresh database); docs/operations.md.
    """
    try:
        result = backup_database(settings.database_url, file, force=force)
    except BackupFailed as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps({"file": str(result.path), "bytes": result.size, "database": result.kind,
                               "restore": result.restore}))
    else:
        click.echo(f"backup written: {result.path} ({result.size} bytes, {result.kind}); restore: {result.restore}")
