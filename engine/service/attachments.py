"""Evidence files: checked by their bytes (not their name), stored once by sha256, recorded per case."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.domain import commands as c
from engine.domain.errors import InvalidCommand
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

# (magic bytes at offset, offset, content type): what cameras and phones send, and reports as PDF.
SIGNATURES = ((b"\xff\xd8\xff", 0, "image/jpeg"), (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
              (b"%PDF-", 0, "application/pdf"), (b"ftyp", 4, "video/mp4"))


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the accepted ones; None otherwise."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, content_type in SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return content_type
    return None


def _write_once(folder: Path, digest: str, data: bytes) -> None:
    target = folder / digest[:2] / digest
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temp, target)  # atomic: a reader never sees half a file


def upload_attachment(cmd: c.UploadAttachment, ctx: HandlerContext) -> dict[str, Any]:
    """Check and keep an uploaded file for a case; the same bytes twice are one attachment."""
    data = cmd.data
    if not data:
        raise InvalidCommand("the file is empty", field="file")
    if len(data) > cmd.max_bytes:
        raise InvalidCommand(f"the file is larger than {cmd.max_bytes / (1024 * 1024):g} MB", field="file")
    content_type = sniff(data)
    if content_type is None:
        raise InvalidCommand("only JPEG, PNG, WebP, MP4 or PDF files are accepted", field="file")
    digest = hashlib.sha256(data).hexdigest()
    _write_once(Path(cmd.folder), digest, data)  # before the row: a recorded attachment always has its bytes
    name = Path(cmd.filename or "upload").name[:200] or "upload"
    with ctx.deps.uow() as uow:
        uow.attachments.add(cmd.case_id, digest, name, content_type, len(data), cmd.actor, ctx.deps.clock.now())
    return {"sha256": digest, "filename": name, "content_type": content_type, "size": len(data)}


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
