"""A consistent copy of a live database: SQLite through its online backup API, PostgreSQL through pg_dump.

Both read one snapshot while the servers keep writing (SQLite in WAL mode: the copy runs in one read transaction,
writers are not blocked; pg_dump: one repeatable-read transaction). The copy is written to a temporary file beside
the target and renamed into place only when complete, so a failed backup leaves no half-written file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy.engine import make_url

from engine.domain.errors import GridcaseError


class BackupFailed(GridcaseError):
    """The backup could not be written (nothing was left at the target)."""


@dataclass(frozen=True)
class BackupResult:
    """What was written: the file, its size, the database kind and how to restore it."""

    path: Path
    size: int
    kind: str  # sqlite | postgresql
    restore: str


def backup_database(url: str, target: Path, *, force: bool = False) -> BackupResult:
    """Write a consistent copy of the database at ``url`` to ``target`` (refused when it exists, unless ``force``)."""
    if target.exists() and (target.is_dir() or not force):
        what = "a folder" if target.is_dir() else "a file"
        raise BackupFailed(f"{target} is {what} that exists already" + ("" if target.is_dir() else
                                                                         ": give --force to replace it"))
    if not target.parent.is_dir():
        raise BackupFailed(f"{target.parent} is not a folder: create it first")
    if url.startswith("sqlite"):
        _backup_sqlite(url, target)
        return BackupResult(target, target.stat().st_size, "sqlite",
                            f"stop the servers, copy {target.name} to the database file's place, start them")
    if url.startswith(("postgresql", "postgres:")):
        _backup_postgresql(url, target)
        return BackupResult(target, target.stat().st_size, "postgresql",
                            f"createdb NEW && pg_restore --no-owner -d NEW {target.name}")
    raise BackupFailed(f"no backup for the database {url.split(':', 1)[0]!r} (SQLite or PostgreSQL)")


@contextmanager
def _written_atomically(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed to it when the block ends cleanly, removed otherwise."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _backup_sqlite(url: str, target: Path) -> None:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database has nothing to back up")
    source_path = Path(database)
    if not source_path.is_file():
        raise BackupFailed(f"no SQLite database at {source_path}")
    # Read-only URI: a mistyped path must not create an empty database; the source is never written.
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        with _written_atomically(target) as partial:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one read transaction, one consistent snapshot
                copy.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file, no -wal beside it
                check = copy.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                copy.close()
            if check != "ok":
                raise BackupFailed(f"the copy failed SQLite's check: {check}")
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite backup failed: {exc}") from None
    finally:
        source.close()


def pg_connection_uri(url: str) -> tuple[str, str | None]:
    """(libpq URI for the PostgreSQL client tools, the schema the URL's search_path option names, if any)."""
    uri = url.replace("postgresql+psycopg://", "postgresql://", 1).replace("postgres://", "postgresql://", 1)
    query = uri.split("?", 1)[1] if "?" in uri else ""
    schema = None
    for option in parse_qs(query).get("options", []):
        for part in option.split():
            if part.startswith("-csearch_path="):
                schema = part.removeprefix("-csearch_path=").split(",")[0]
    return uri, schema


def _backup_postgresql(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed("pg_dump is not on PATH: install the PostgreSQL client tools of the server's major"
                           " version (Debian: postgresql-client)")
    uri, schema = pg_connection_uri(url)
    with _written_atomically(target) as partial:
        command = [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={uri}"]
        if schema:
            command.append(f"--schema={schema}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupFailed(f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()}")
