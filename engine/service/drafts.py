"""Designers' drafts: BPMN and DMN files and task forms (``x.json``: ``forms/x.json``) saved on the server,
one per owner and file name, until deleted.

A draft is private to its owner. It may name the deployed version it started from (its base), so that the
designer can later diff against it; the process id of a BPMN draft is read from its content.
"""

from __future__ import annotations

import re

from designer.version_diff import main_process_id
from engine.bpmn.foreign import is_bpmn_file
from engine.bpmn.form_files import form_text_problem
from engine.domain import commands as c
from engine.domain.errors import InvalidCommand, NotFound
from engine.persistence.repositories.drafts import Draft
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(bpmn|bpmn20\.xml|dmn)$")  # .bpmn20.xml: Flowable's BPMN files
DRAFT_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(bpmn|bpmn20\.xml|dmn|json)$")  # a .json draft is a task form
PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,199}$")
MAX_FILE_NAME = 200
MAX_CONTENT_BYTES = 2 * 1024 * 1024


def check_file_name(file_name: str) -> str:
    """The file name if it is a plain ``.bpmn``, ``.dmn`` or form ``.json`` name (no folders); InvalidCommand
    otherwise. A form draft ``x.json`` is the form ``forms/x.json`` of the workflows folder."""
    if len(file_name) > MAX_FILE_NAME or not DRAFT_NAME.fullmatch(file_name):
        raise InvalidCommand("a file name has letters, digits, '_', '.' or '-' and ends in .bpmn, .bpmn20.xml, "
                             ".dmn or .json"
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


def _base_version(uow: UnitOfWork, process_id: str | None, number: int | None) -> int | None:
    if number is None:
        return None
    if not process_id:
        raise InvalidCommand("a base version needs the process it belongs to (process_id)", field="process_id")
    found = uow.drafts.version_id(process_id, number)
    if found is None:
        raise InvalidCommand(f"process {process_id} has no version {number}", field="base_version")
    return found


def save_draft(cmd: c.SaveDraft, ctx: HandlerContext) -> tuple[Draft, bool]:
    """Create or replace the owner's draft; (the draft, whether it was created).

    ``base_version`` is a version number of ``process_id`` (by default the process the BPMN content defines).
    """
    check_file_name(cmd.file_name)
    _check_content(cmd.content)
    problem = form_text_problem(f"forms/{cmd.file_name}", cmd.content) if cmd.file_name.endswith(".json") else None
    if problem:  # a form draft is kept only as a valid form (engine.domain.forms load rules)
        raise InvalidCommand(problem, field="content")
    process_id = cmd.process_id
    if process_id:
        check_process_id(process_id)
    elif is_bpmn_file(cmd.file_name):
        found = main_process_id(cmd.content)
        process_id = found if found and PROCESS_ID.fullmatch(found) else None
    with ctx.deps.uow() as uow:
        base_id = _base_version(uow, process_id, cmd.base_version)
        existed = uow.drafts.get(cmd.owner, cmd.file_name) is not None
        uow.drafts.save(cmd.owner, cmd.file_name, process_id, cmd.content, base_id, ctx.deps.clock.now())
        saved = uow.drafts.get(cmd.owner, cmd.file_name)
    assert saved is not None
    return saved, not existed


def list_drafts(deps: Deps, owner: str) -> list[Draft]:
    """``owner``'s drafts by file name."""
    with deps.uow(read_only=True) as uow:
        return uow.drafts.of_owner(owner)


def get_draft(deps: Deps, owner: str, file_name: str) -> Draft:
    """``owner``'s draft ``file_name``; NotFound when there is none (other owners' drafts are not seen)."""
    check_file_name(file_name)
    with deps.uow(read_only=True) as uow:
        found = uow.drafts.get(owner, file_name)
    if found is None:
        raise NotFound(f"no draft {file_name}", field="file_name")
    return found


def delete_draft(cmd: c.DeleteDraft, ctx: HandlerContext) -> None:
    """Delete the owner's draft; NotFound when there is none."""
    check_file_name(cmd.file_name)
    with ctx.deps.uow() as uow:
        if not uow.drafts.delete(cmd.owner, cmd.file_name):
            raise NotFound(f"no draft {cmd.file_name}", field="file_name")
