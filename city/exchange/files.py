"""The exchange's folders: an export file written under a temporary name and renamed once its batch row is
committed (docs/exchange.md, "Recovery"), inbound files moved aside once recorded."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

TMP_SUFFIX = ".tmp"
DONE, REFUSED = "done", "refused"
LOCK_NAME = ".gridcase-inbox.lock"  # a dot file: never an inbound name


class InboxBusy(Exception):
    """Another run holds the inbox's lock."""


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


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def publish(outbox: Path, name: str, sha256: str) -> None:
    """Rename the temporary file to ``name`` (atomic on one file system): the platform sees it whole or not. The
    rename happens after the batch's commit, outside the connector's lock, so another run's ``finish_leftovers``
    may have renamed it first: a missing temporary file with ``name`` holding ``sha256`` is done, not an error."""
    try:
        temporary(outbox, name).replace(outbox / name)
    except FileNotFoundError:
        if _sha256_of(outbox / name) != sha256:
            raise
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
        sha256 = _sha256_of(path) if matched else None
        if matched and sha256 is not None:  # None: a run publishing it just renamed it
            found.append((int(matched.group(2)), matched.group(1), sha256))
    return sorted(found)


def finish_leftovers(outbox: Path, prefix: str, committed: Callable[[int], str | None]) -> list[str]:
    """Rename each temporary file whose batch was committed with the same sha256 (``committed(seq)``: its sha256
    or None) — a run stopped between commit and rename — and delete the others (their transaction never
    committed: a later batch takes that seq). The names renamed."""
    renamed = []
    for seq, name, sha256 in leftovers(outbox, prefix):
        if committed(seq) == sha256:
            publish(outbox, name, sha256)
            renamed.append(name)
        else:
            temporary(outbox, name).unlink(missing_ok=True)
    return renamed


def inbound(inbox: Path, prefix: str) -> list[Path]:
    """The inbox's entries named as files of this exchange (``ack_<prefix>_…json``, ``assign_…json``), by name —
    links and folders too: the inbox refuses them (``plain``), so they do not lie there unexplained."""
    if not inbox.is_dir():
        return []
    return sorted(path for path in inbox.iterdir() if path.suffix == ".json"
                  and (path.name.startswith(f"ack_{prefix}_") or path.name.startswith("assign_")))


def plain(path: Path) -> bool:
    """Whether ``path`` is a regular file and not a link (a link could make the inbox read any file the
    gridcase user may read, and its content would go into the refusal's reason)."""
    return not path.is_symlink() and path.is_file()


def move_aside(inbox: Path, path: Path, where: str) -> None:
    """Move an inbound file (or link) into ``inbox/done`` or ``inbox/refused`` (a file of the same name there is
    replaced: the record of it is its batch row); one already gone is no error."""
    target = inbox / where
    target.mkdir(exist_ok=True)
    with suppress(FileNotFoundError):
        path.replace(target / path.name)


@contextmanager
def inbox_lock(inbox: Path) -> Iterator[None]:
    """The inbox's lock for a whole run (``flock`` on a dot file in it: released when the process ends, however
    it ends): two runs at once (the scheduler and an admin's run now) would read and record a file twice.
    InboxBusy when another run holds it."""
    with (inbox / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InboxBusy(str(inbox)) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
