"""Evidence files: checked by their bytes (not their name), stored once by sha256, recorded per case as an audited
event of its hash chain; a closed case takes them only as an addendum."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.errors import InvalidCommand
from engine.domain.views import StepRecord
from engine.persistence.repositories.cases import CaseRow
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.deps import Deps
from engine.service.steps import chain_events

# (magic bytes at offset, offset, content type): what cameras and phones send, and reports as PDF.
SIGNATURES = ((b"\xff\xd8\xff", 0, "image/jpeg"), (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
              (b"%PDF-", 0, "application/pdf"), (b"ftyp", 4, "video/mp4"))
MAX_NOTE = 500  # characters of an addendum's note


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the accepted ones; None otherwise."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, content_type in SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return content_type
    return None


def stored_path(folder: Path, digest: str) -> Path:
    """Where the attachment store keeps the file whose bytes hash to ``digest``: ``<folder>/<ab>/<digest>``."""
    return folder / digest[:2] / digest


def stored_digest(folder: Path, digest: str) -> str | None:
    """The sha256 of the bytes stored under ``digest`` now (read in chunks), or None when no such file is kept.

    Equal to ``digest`` while the evidence is intact; anything else means the file was altered or replaced."""
    if len(digest) != 64 or not all(ch in "0123456789abcdef" for ch in digest):  # never a path of its own
        return None
    path = stored_path(folder, digest)
    if not path.is_file():
        return None
    hasher = hashlib.sha256()
    with path.open("rb") as stored:
        while chunk := stored.read(1024 * 1024):
            hasher.update(chunk)
    return hasher.hexdigest()


def _write_once(folder: Path, digest: str, data: bytes) -> None:
    target = stored_path(folder, digest)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())  # on disk before the row that cites it commits: a power loss keeps both or neither
    os.replace(temp, target)  # atomic: a reader never sees half a file
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX: the directory entry is synced on its own)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _checked_file(cmd: c.UploadAttachment) -> str:
    """The content type of the upload's bytes; InvalidCommand naming ``file`` when they are no evidence."""
    data = cmd.data
    if not data:
        raise InvalidCommand("the file is empty", field="file")
    if len(data) > cmd.max_bytes:
        raise InvalidCommand(f"the file is larger than {cmd.max_bytes / (1024 * 1024):g} MB", field="file")
    content_type = sniff(data)
    if content_type is None:
        raise InvalidCommand("only JPEG, PNG, WebP, MP4 or PDF files are accepted", field="file")
    return content_type


def _check_state(cmd: c.UploadAttachment, case: CaseRow) -> None:
    """A closed case takes evidence only as an addendum that says why; an open one needs none."""
    closed = case.status != "running"  # completed (closed or voided): its record is final
    if closed and not cmd.addendum:
        raise InvalidCommand("the case is closed: new evidence is refused, except as an audited addendum "
                             "(addendum=true with a note saying why) by a role allowed to amend closed cases",
                             field="addendum")
    if not closed and cmd.addendum:
        raise InvalidCommand("the case is still open: add evidence without addendum", field="addendum")
    if cmd.addendum and not cmd.note.strip():
        raise InvalidCommand("an addendum to a closed case must say why it is added", field="note")
    if len(cmd.note) > MAX_NOTE:
        raise InvalidCommand(f"the note is longer than {MAX_NOTE} characters", field="note")
    if "\0" in cmd.note or not _encodable(cmd.note):
        raise InvalidCommand("the note must be text (no NUL, no unpaired surrogates)", field="note")


def _encodable(text: str) -> bool:
    """True when ``text`` has a UTF-8 form (an unpaired surrogate has none; the database would refuse it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def upload_attachment(cmd: c.UploadAttachment, ctx: HandlerContext) -> dict[str, Any]:
    """Check and keep an uploaded file for a case, with its ``attachment_added`` event in the case's chain (one
    transaction); the same bytes twice are one attachment and one event."""
    content_type = _checked_file(cmd)
    data = cmd.data
    digest = hashlib.sha256(data).hexdigest()
    name = Path(cmd.filename or "upload").name[:200] or "upload"
    evidence: dict[str, Any] = {"sha256": digest, "filename": name, "content_type": content_type, "size": len(data)}
    now = ctx.deps.clock.now()
    addendum = {"addendum": True, "note": cmd.note.strip()} if cmd.addendum else {}
    record = StepRecord(ev.ATTACHMENT_ADDED, data={**evidence, **addendum})
    with ctx.deps.uow() as uow:
        case = uow.store.lock_case(cmd.case_id)  # the case's state and chain head cannot move under us
        _check_state(cmd, case)
        if uow.attachments.get(cmd.case_id, digest) is not None:  # the same bytes again: already on record
            return evidence
        record_attachment(uow, case, Path(cmd.folder), data, record, cmd.actor, now, actor_kind=cmd.actor_kind)
    return evidence


def record_attachment(uow: UnitOfWork, case: CaseRow, folder: Path, data: bytes, record: StepRecord, actor: str,
                      now: datetime, *, actor_kind: str | None = None) -> None:
    """Keep checked bytes for the locked ``case`` in ``uow`` (``record``: its ``attachment_added`` event, whose data
    names the sha256, filename and content type): the file, its row and the event in the case's chain. A starter's
    own files (a citizen's photos) are recorded by it in the case's first transaction."""
    info = record.data
    events = chain_events(case, [record], actor, now, command=ev.UPLOAD_ATTACHMENT_COMMAND,
                          actor_kind=actor_kind)  # refuses a time before the case's last event
    _write_once(folder, info["sha256"], data)  # before the row: a recorded attachment always has its bytes
    uow.attachments.add(case.id, info["sha256"], info["filename"], info["content_type"], len(data), actor, now)
    uow.store.extend_chain(case, events)


def attachment(deps: Deps, case_id: int, digest: str) -> dict[str, Any] | None:
    """An attachment's record, or None."""
    with deps.uow(read_only=True) as uow:
        found = uow.attachments.get(case_id, digest)
    if found is None:
        return None
    uploaded = found["uploaded_at"]
    return {**found, "uploaded_at": uploaded.isoformat() if isinstance(uploaded, datetime) else None}


def attachments_of(deps: Deps, case_id: int) -> list[dict[str, Any]]:
    """Every attachment of a case, oldest first."""
    with deps.uow(read_only=True) as uow:
        return uow.attachments.of_case(case_id)
