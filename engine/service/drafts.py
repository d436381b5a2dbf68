"""Designers' drafts: BPMN and DMN files saved on the server, one per owner and file name, until deleted.

A draft is private to its owner. It may name the deployed version it started from (its base), so that the
designer can later diff against it; the process id of a BPMN draft is read from its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from engine.bpmn.version_diff import main_process_id
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.db import as_utc
from engine.persistence.store import CaseStore
from engine.service.deps import Deps

FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(bpmn|dmn)$")
PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,199}$")
MAX_FILE_NAME = 200
MAX_CONTENT_BYTES = 2 * 1024 * 1024
_COLUMNS = ("d.file_name, d.process_id, d.content, d.base_version_id, v.process_id, v.number, d.updated_at,"
            " d.owner FROM process_drafts d LEFT JOIN process_versions v ON v.id = d.base_version_id")


@dataclass(frozen=True)
class Draft:
    """A saved draft; ``base_process_id``/``base_number`` name the deployed version it started from."""

    owner: str
    file_name: str
    process_id: str | None
    content: str
    base_version_id: int | None
    base_process_id: str | None
    base_number: int | None
    updated_at: datetime

    @property
    def size(self) -> int:
        """The content's size in UTF-8 bytes."""
        return len(self.content.encode("utf-8"))


def check_file_name(file_name: str) -> str:
    """The file name if it is a plain ``.bpmn`` or ``.dmn`` name (no folders); InvalidCommand otherwise."""
    if len(file_name) > MAX_FILE_NAME or not FILE_NAME.fullmatch(file_name):
        raise InvalidCommand("a file name has letters, digits, '_', '.' or '-' and ends in .bpmn or .dmn"
                             f" (at most {MAX_FILE_NAME} characters)", field="file_name")
    return file_name


def check_process_id(process_id: str) -> str:
    """The id if it can name a process (an XML name of at most 200 characters); InvalidCommand otherwise."""
    if not PROCESS_ID.fullmatch(process_id):
        raise InvalidCommand("a process id is an XML name of at most 200 letters, digits, '_', '.' or '-'",
                             field="process_id")
    return process_id


def _check_content(content: str) -> None:
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidCommand("the content is not valid text (lone surrogates)", field="content") from None
    if "\x00" in content:
        raise InvalidCommand("the content holds a NUL character", field="content")
    if size > MAX_CONTENT_BYTES:
        raise InvalidCommand(f"a draft holds at most {MAX_CONTENT_BYTES // (1024 * 1024)} MB", field="content")


def _draft(row: tuple[object, ...]) -> Draft:
    updated = as_utc(row[6])
    assert updated is not None
    return Draft(str(row[7]), str(row[0]), row[1], str(row[2]), row[3], row[4], row[5], updated)  # type: ignore[arg-type]


def _base_version(store: CaseStore, process_id: str | None, number: int | None) -> int | None:
    if number is None:
        return None
    if not process_id:
        raise InvalidCommand("a base version needs the process it belongs to (process_id)", field="process_id")
    row = store.execute("SELECT id FROM process_versions WHERE process_id = ? AND number = ?",
                        (process_id, number)).fetchone()
    if row is None:
        raise InvalidCommand(f"process {process_id} has no version {number}", field="base_version")
    return int(row[0])


def _read(store: CaseStore, owner: str, file_name: str) -> Draft | None:
    row = store.execute(f"SELECT {_COLUMNS} WHERE d.owner = ? AND d.file_name = ?", (owner, file_name)).fetchone()
    return None if row is None else _draft(row)


def save_draft(deps: Deps, owner: str, file_name: str, content: str, *, base_version: int | None = None,
               process_id: str | None = None) -> tuple[Draft, bool]:
    """Create or replace ``owner``'s draft ``file_name``; (the draft, whether it was created).

    ``base_version`` is a version number of ``process_id`` (by default the process the BPMN content defines).
    """
    check_file_name(file_name)
    _check_content(content)
    if process_id:
        check_process_id(process_id)
    elif file_name.endswith(".bpmn"):
        found = main_process_id(content)
        process_id = found if found and PROCESS_ID.fullmatch(found) else None
    with deps.uow() as uow:
        store = uow.store
        base_id = _base_version(store, process_id, base_version)
        existed = _read(store, owner, file_name) is not None
        store.execute(
            "INSERT INTO process_drafts (owner, file_name, process_id, content, base_version_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner, file_name) DO UPDATE SET process_id = excluded.process_id,"
            " content = excluded.content, base_version_id = excluded.base_version_id,"
            " updated_at = excluded.updated_at",
            (owner, file_name, process_id, content, base_id, store.dialect.stamp(deps.clock.now())))
        saved = _read(store, owner, file_name)
        uow.commit()
    assert saved is not None
    return saved, not existed


def list_drafts(deps: Deps, owner: str) -> list[Draft]:
    """``owner``'s drafts by file name."""
    with deps.uow(read_only=True) as uow:
        rows = uow.store.execute(f"SELECT {_COLUMNS} WHERE d.owner = ? ORDER BY d.file_name", (owner,)).fetchall()
    return [_draft(row) for row in rows]


def get_draft(deps: Deps, owner: str, file_name: str) -> Draft:
    """``owner``'s draft ``file_name``; NotFound when there is none (other owners' drafts are not seen)."""
    check_file_name(file_name)
    with deps.uow(read_only=True) as uow:
        found = _read(uow.store, owner, file_name)
    if found is None:
        raise NotFound(f"no draft {file_name}", field="file_name")
    return found


def delete_draft(deps: Deps, owner: str, file_name: str) -> None:
    """Delete ``owner``'s draft ``file_name``; NotFound when there is none."""
    check_file_name(file_name)
    with deps.uow() as uow:
        cur = uow.store.execute("DELETE FROM process_drafts WHERE owner = ? AND file_name = ?", (owner, file_name))
        if cur.rowcount != 1:
            raise NotFound(f"no draft {file_name}", field="file_name")
        uow.commit()
