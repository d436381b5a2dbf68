"""ReadExchangeInbox: the platform's acknowledgements and assigned cases, file by file (docs/exchange.md).

Every file read is recorded once: an acknowledgement on its export batch, anything else as an ``import`` batch
(its sha256, what was taken and refused, or why the whole file was refused) — a file whose bytes were recorded
before is only moved aside. Refused files go to ``inbox/refused/``, the rest to ``inbox/done/``. Each file is its
own transaction (an assignment's records each their own, see ``city.exchange.assigned``): one bad file never
stops the others.
"""

from __future__ import annotations

import hashlib
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
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text

NAME_CHARS = 200  # exchange_batches.file_name


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


def _take_file(ctx: HandlerContext, config: ExchangeConfig, path: Path, actor: str) -> dict[str, Any]:
    """Read, record and move aside one inbound file; what happened to it."""
    sha256 = _sha256(path)
    with ctx.deps.uow(read_only=True) as uow:
        seen = reads.import_seen(uow.store, config.code, sha256)
    if seen:
        files.move_aside(config.inbox, path, files.DONE)
        return {"file": path.name, "status": "seen_before"}
    is_ack = path.name.startswith("ack_")
    try:
        document, _ = read_inbound(path, "ack" if is_ack else "assignment", config.max_file_bytes)
        if is_ack:
            with ctx.deps.uow() as uow:
                exchange_config(uow.store, config.code, active=False)
                status = record_ack(uow, config, path.name, document, ctx.deps.clock.now())
            files.move_aside(config.inbox, path, files.DONE)
            return {"file": path.name, "kind": "ack", "status": status}
        outcome = _assignment(ctx, config, document)
    except FileRefused as exc:
        reason = str(exc)[:2000]
        _record_import(ctx, config, path.name, sha256, "refused", {"reason": reason}, 0, actor)
        files.move_aside(config.inbox, path, files.REFUSED)
        return {"file": path.name, "status": "refused", "reason": reason}
    _record_import(ctx, config, path.name, sha256, outcome["status"], outcome, len(outcome["taken"]), actor)
    files.move_aside(config.inbox, path, files.DONE if outcome["status"] != "refused" else files.REFUSED)
    return {"file": path.name, "kind": "assignment", **outcome}


def read_inbox(cmd: ReadExchangeInbox, ctx: HandlerContext) -> dict[str, Any]:
    """The handler of ReadExchangeInbox (see the module's docstring)."""
    check_text(cmd.actor, "actor")
    with ctx.deps.uow(read_only=True) as uow:
        config = exchange_config(uow.store, cmd.connector, active=False, lock=False)
        refuse_strangers(uow, cmd.actor, config.code, "read the upper-level platform's inbox")
    taken = [_take_file(ctx, config, path, cmd.actor) for path in files.inbound(config.inbox, config.file_prefix())]
    return {"connector": config.code, "files": taken}
