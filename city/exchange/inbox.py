"""ReadExchangeInbox: the platform's acknowledgements and assigned cases, file by file (docs/exchange.md).

Every file read is recorded once: an acknowledgement on its export batch, anything else as an ``import`` batch
(its sha256, what was taken and refused, or why the whole file was refused) — a file whose bytes were recorded
before is only moved aside. Refused files go to ``inbox/refused/``, the rest to ``inbox/done/``. Each file is its
own transaction (an assignment's records each their own, see ``city.exchange.assigned``): one bad file never
stops the others — whatever fails on a file (even a bug) refuses that file with the reason. Links and other
entries that are not plain files are refused unread. A run holds the inbox's lock (``files.inbox_lock``) from
start to end: a second run at the same time is refused, never reads a file twice.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from city.exchange import files
from city.exchange.acks import record_ack
from city.exchange.assigned import take_record
from city.exchange.commands import ReadExchangeInbox
from city.exchange.config import ExchangeConfig
from city.exchange.connector import exchange_config, refuse_strangers
from city.exchange.schema import FileRefused, read_inbound
from city.persistence.read import exchange as reads
from city.persistence.repositories import exchange as writes
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

NAME_CHARS = 200  # exchange_batches.file_name
NO_BYTES = hashlib.sha256(b"").hexdigest()  # what a refused link or folder is recorded with: its target is not read
log = logging.getLogger(__name__)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_import(ctx: HandlerContext, config: ExchangeConfig, name: str, sha256: str, status: str,
                   detail: dict[str, Any], taken: int, actor: str) -> None:
    """An ``import`` batch row (its own transaction), numbered after the connector's last import."""
    deps = ctx.deps
    with deps.uow() as uow:
        exchange_config(uow.store, config.code, active=False)  # the row locked: two runs take turns
        seq = reads.next_seq(uow.store, config.code, "import")
        row = writes.BatchRow(config.code, "import", seq, name[:NAME_CHARS], sha256, taken, None, None, actor,
                              detail, ack_status=status)
        writes.insert_batch(uow.store, row, deps.clock.now())


def _assignment(ctx: HandlerContext, config: ExchangeConfig, document: dict[str, Any]) -> dict[str, Any]:
    if (document["platform_code"], document["city_code"]) != (config.platform_code, config.city_code):
        raise FileRefused(f"the file is for {document['platform_code']}/{document['city_code']}, not "
                          f"{config.platform_code}/{config.city_code}")
    with ctx.deps.uow(read_only=True) as uow:
        catalogue = reads.subtype_codes(uow.store)
    results = [take_record(ctx, config, item, catalogue) for item in document["records"]]
    taken = [r for r in results if "reason" not in r]
    refused = [r for r in results if "reason" in r]
    status = "taken" if not refused else "partial" if taken else "refused"
    return {"status": status, "file_seq": document["seq"], "taken": taken, "refused": refused}


def _move(config: ExchangeConfig, path: Path, where: str) -> dict[str, str]:
    """Move the file aside; ``{"not_moved": why}`` when the folder refuses (the file stays and is moved by a later
    run: its bytes are recorded, so it is not read again)."""
    try:
        files.move_aside(config.inbox, path, where)
    except OSError as exc:
        log.warning("exchange %s: %s stays in the inbox: %s", config.code, path.name, exc)
        return {"not_moved": f"{where}/ cannot take it: {exc.strerror or type(exc).__name__}"}
    return {}


def _refuse(ctx: HandlerContext, config: ExchangeConfig, path: Path, sha256: str, reason: str, actor: str
            ) -> dict[str, Any]:
    _record_import(ctx, config, path.name, sha256, "refused", {"reason": reason}, 0, actor)
    return {"file": path.name, "status": "refused", "reason": reason, **_move(config, path, files.REFUSED)}


def _read(ctx: HandlerContext, config: ExchangeConfig, path: Path, sha256: str, actor: str) -> dict[str, Any]:
    """Take one file not seen before: an acknowledgement, or an assignment's records (FileRefused: the file)."""
    is_ack = path.name.startswith("ack_")
    document, _ = read_inbound(path, "ack" if is_ack else "assignment", config.max_file_bytes)
    if is_ack:
        with ctx.deps.uow() as uow:
            exchange_config(uow.store, config.code, active=False)
            status = record_ack(uow, config, path.name, document, ctx.deps.clock.now())
        return {"file": path.name, "kind": "ack", "status": status, **_move(config, path, files.DONE)}
    outcome = _assignment(ctx, config, document)
    _record_import(ctx, config, path.name, sha256, outcome["status"], outcome, len(outcome["taken"]), actor)
    where = files.DONE if outcome["status"] != "refused" else files.REFUSED
    return {"file": path.name, "kind": "assignment", **outcome, **_move(config, path, where)}


def _take_file(ctx: HandlerContext, config: ExchangeConfig, path: Path, actor: str) -> dict[str, Any]:
    """Read, record and move aside one inbound file; what happened to it. Whatever goes wrong with one file is
    recorded on it (an ``import`` batch refused with the reason) and never stops the later files."""
    if not files.plain(path):
        return _refuse(ctx, config, path, NO_BYTES, "not a plain file (a link, folder or device)", actor)
    try:
        sha256 = _sha256(path)
    except OSError as exc:  # gone (another reader moved it) or unreadable: left for a later run
        return {"file": path.name, "status": "not_read", "reason": exc.strerror or type(exc).__name__}
    with ctx.deps.uow(read_only=True) as uow:
        seen = sha256 != NO_BYTES and reads.import_seen(uow.store, config.code, sha256)  # empty: refused anew
    if seen:
        return {"file": path.name, "status": "seen_before", **_move(config, path, files.DONE)}
    try:
        return _read(ctx, config, path, sha256, actor)
    except FileRefused as exc:
        return _refuse(ctx, config, path, sha256, str(exc)[:2000], actor)
    except Exception as exc:  # a bug or the system: recorded on the file, the next file is read all the same
        log.exception("exchange %s: reading %s failed", config.code, path.name)
        return _refuse(ctx, config, path, sha256, f"internal error: {type(exc).__name__}: {str(exc)[:300]}", actor)


def read_inbox(cmd: ReadExchangeInbox, ctx: HandlerContext) -> dict[str, Any]:
    """The handler of ReadExchangeInbox (see the module's docstring). ConcurrencyConflict (409) while another run
    reads the same inbox."""
    check_text(cmd.actor, "actor")
    with ctx.deps.uow(read_only=True) as uow:
        config = exchange_config(uow.store, cmd.connector, active=False, lock=False)
        refuse_strangers(uow, cmd.actor, config.code, "read the upper-level platform's inbox")
    if not config.inbox.is_dir():  # a mistyped or unmounted folder must not read as "nothing came", for ever
        log.warning("exchange %s: the inbox folder %s does not exist", config.code, config.inbox)
        raise InvalidCommand(f"inbox_dir: the folder {config.inbox} does not exist", field="inbox_dir")
    try:
        with files.inbox_lock(config.inbox):
            taken = [_take_file(ctx, config, path, cmd.actor)
                     for path in files.inbound(config.inbox, config.file_prefix())]
    except files.InboxBusy:
        raise ConcurrencyConflict(f"another run is reading the inbox of connector {config.code}: try again when"
                                  " it ends", field="connector") from None
    return {"connector": config.code, "files": taken}
