"""Evidence files: checked by their bytes (not their name), stored once by sha256, recorded per case."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.domain.errors import InvalidCommand
from engine.persistence.db import as_utc
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


def store_attachment(deps: Deps, folder: Path, case_id: int, filename: str, data: bytes, uploaded_by: str,
                     max_bytes: int) -> dict[str, Any]:
    """Check and keep an uploaded file for a case; the same bytes twice are one attachment."""
    if not data:
        raise InvalidCommand("the file is empty", field="file")
    if len(data) > max_bytes:
        raise InvalidCommand(f"the file is larger than {max_bytes / (1024 * 1024):g} MB", field="file")
    content_type = sniff(data)
    if content_type is None:
        raise InvalidCommand("only JPEG, PNG, WebP, MP4 or PDF files are accepted", field="file")
    digest = hashlib.sha256(data).hexdigest()
    _write_once(folder, digest, data)
    name = Path(filename or "upload").name[:200] or "upload"
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        exists = store.execute("SELECT 1 FROM attachments WHERE case_id = ? AND sha256 = ?",
                               (case_id, digest)).fetchone()
        if exists is None:
            store.execute("INSERT INTO attachments (case_id, sha256, filename, content_type, size, uploaded_by,"
                          " uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (case_id, digest, name, content_type, len(data), uploaded_by, store.dialect.stamp(now)))
            uow.commit()
    return {"sha256": digest, "filename": name, "content_type": content_type, "size": len(data)}


def attachment(deps: Deps, case_id: int, digest: str) -> dict[str, Any] | None:
    """An attachment's record, or None."""
    with deps.uow(read_only=True) as uow:
        row = uow.store.execute("SELECT filename, content_type, size, uploaded_by, uploaded_at FROM attachments"
                                " WHERE case_id = ? AND sha256 = ?", (case_id, digest)).fetchone()
    if row is None:
        return None
    uploaded = as_utc(row[4])
    return {"sha256": digest, "filename": row[0], "content_type": row[1], "size": row[2], "uploaded_by": row[3],
            "uploaded_at": uploaded.isoformat() if isinstance(uploaded, datetime) else None}


def attachments_of(deps: Deps, case_id: int) -> list[dict[str, Any]]:
    """Every attachment of a case, oldest first."""
    with deps.uow(read_only=True) as uow:
        rows = uow.store.execute("SELECT sha256, filename, content_type, size FROM attachments WHERE case_id = ?"
                                 " ORDER BY uploaded_at, sha256", (case_id,)).fetchall()
    return [{"sha256": r[0], "filename": r[1], "content_type": r[2], "size": r[3]} for r in rows]
