"""The exchange's folders: an export file written under a temporary name and renamed once its batch row is
committed (docs/exchange.md, "Recovery"), inbound files moved aside once recorded."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

TMP_SUFFIX = ".tmp"
DONE, REFUSED = "done", "refused"


def temporary(outbox: Path, name: str) -> Path:
    """Where a file is written before its batch is committed (a dot file: the platform takes no dot files)."""
    return outbox / f".{name}{TMP_SUFFIX}"


def write_temporary(outbox: Path, name: str, data: bytes) -> Path:
    """Write ``data`` (flushed to disk) under the temporary name of ``name``; the temporary path."""
    outbox.mkdir(parents=True, exist_ok=True)
    path = temporary(outbox, name)
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return path


def publish(outbox: Path, name: str) -> None:
    """Rename the temporary file to ``name`` (atomic on one file system): the platform sees it whole or not."""
    temporary(outbox, name).replace(outbox / name)
    _sync_folder(outbox)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def leftovers(outbox: Path, prefix: str) -> list[tuple[int, str, str]]:
    """Temporary files an earlier run left: (seq, final name, sha256 of the bytes), by seq."""
    if not outbox.is_dir():
        return []
    pattern = re.compile(rf"^\.({re.escape(prefix)}_([0-9]{{6}})\.json){re.escape(TMP_SUFFIX)}$")
    found = []
    for path in outbox.iterdir():
        matched = pattern.fullmatch(path.name)
        if matched:
            found.append((int(matched.group(2)), matched.group(1), hashlib.sha256(path.read_bytes()).hexdigest()))
    return sorted(found)


def finish_leftovers(outbox: Path, prefix: str, committed: Callable[[int], str | None]) -> list[str]:
    """Rename each temporary file whose batch was committed with the same sha256 (``committed(seq)``: its sha256
    or None) — a run stopped between commit and rename — and delete the others (their transaction never
    committed: a later batch takes that seq). The names renamed."""
    renamed = []
    for seq, name, sha256 in leftovers(outbox, prefix):
        if committed(seq) == sha256:
            publish(outbox, name)
            renamed.append(name)
        else:
            temporary(outbox, name).unlink(missing_ok=True)
    return renamed


def inbound(inbox: Path, prefix: str) -> list[Path]:
    """The inbox's files of this exchange (``ack_<prefix>_…json``, ``assign_…json``), by name."""
    if not inbox.is_dir():
        return []
    return sorted(path for path in inbox.iterdir() if path.is_file() and path.suffix == ".json"
                  and (path.name.startswith(f"ack_{prefix}_") or path.name.startswith("assign_")))


def move_aside(inbox: Path, path: Path, where: str) -> None:
    """Move an inbound file into ``inbox/done`` or ``inbox/refused`` (a file of the same name there is
    replaced: the record of it is its batch row)."""
    target = inbox / where
    target.mkdir(exist_ok=True)
    path.replace(target / path.name)
