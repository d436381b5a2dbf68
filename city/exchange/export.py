"""RunExchangeExport: the cases changed since the last export, written to the outbox (docs/exchange.md).

One transaction: temporary files written, their ``exchange_batches`` rows inserted and committed, and only then the
files renamed to their names — the platform never sees a file gridcase has no record of. A run stopped between
the commit and the rename leaves a temporary file whose batch exists: the next run renames it first
(``files.finish_leftovers``); a temporary file with no committed batch is deleted and its seq taken again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from city.exchange import files, records
from city.exchange.commands import RunExchangeExport
from city.exchange.config import ExchangeConfig
from city.exchange.connector import exchange_config, refuse_strangers
from city.exchange.schema import problems
from city.persistence.read import exchange as reads
from city.persistence.repositories import exchange as writes
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext
from engine.service.handlers import check_text


def _committed_sha(uow: UnitOfWork, code: str) -> Any:
    def committed(seq: int) -> str | None:
        found = reads.batch(uow.store, code, "export", seq)
        return None if found is None else str(found["sha256"])
    return committed


def _refused_again(uow: UnitOfWork, code: str) -> tuple[list[dict[str, Any]], set[str]]:
    """The export batches whose refused cases go again, and those cases' numbers: an ack's errors name them; a
    rejected batch with no errors goes again whole."""
    pending = reads.to_resend(uow.store, code)
    numbers: set[str] = set()
    for found in pending:
        errors = found["detail"].get("ack", {}).get("errors", [])
        named = {str(error["case_no"]) for error in errors}
        if not named and found["ack_status"] == "rejected":
            named = set(found["detail"].get("case_nos", []))
        numbers |= named
    return pending, numbers


def _facts(uow: UnitOfWork, config: ExchangeConfig, since: datetime | None, until: datetime
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The facts to send (changed in [since, until), then the refused ones again) and the batches resent."""
    changed = reads.changed_facts(uow.store, config.code, since, until)
    pending, numbers = _refused_again(uow, config.code)
    taken = {fact["case_no"] for fact in changed}
    again = reads.facts_of(uow.store, config.code, numbers - taken)
    return changed + again, pending


def _write_batch(uow: UnitOfWork, config: ExchangeConfig, seq: int, window: tuple[datetime | None, datetime],
                 facts: list[dict[str, Any]], actor: str, now: datetime) -> dict[str, Any]:
    """One file (temporary name) and its batch row."""
    chunk = [records.record(fact, config) for fact in facts]
    content = records.document(config, seq, window[0], window[1], now, chunk)
    found = problems("export", content)
    if found:  # gridcase's own bug: never write a file the platform's schema refuses
        raise RuntimeError("an export file would not match docs/exchange.schema.json: " + "; ".join(found))
    data, sha256 = records.encoded(content)
    name = records.file_name(config, seq)
    files.write_temporary(config.outbox, name, data)
    unmapped = [item["case_no"] for item in chunk if item["national_code"] is None]
    detail = {"case_nos": [item["case_no"] for item in chunk], "unmapped": unmapped}
    writes.insert_batch(uow.store, writes.BatchRow(config.code, "export", seq, name, sha256, len(chunk), window[0],
                                                   window[1], actor, detail), now)
    return {"seq": seq, "file_name": name, "sha256": sha256, "records": len(chunk), "unmapped": unmapped}


def run_export(cmd: RunExchangeExport, ctx: HandlerContext) -> dict[str, Any]:
    """The handler of RunExchangeExport (see the module's docstring)."""
    check_text(cmd.actor, "actor")
    deps = ctx.deps
    now = deps.clock.now()
    written: list[dict[str, Any]] = []
    with deps.uow() as uow:
        config = exchange_config(uow.store, cmd.connector, active=False)  # by hand also while switched off
        refuse_strangers(uow, cmd.actor, config.code, "export to the upper-level platform")
        finished = files.finish_leftovers(config.outbox, config.file_prefix(), _committed_sha(uow, config.code))
        last = reads.last_export(uow.store, config.code)
        since = None if last is None else last["until"]
        until = now - timedelta(seconds=config.settle_seconds)
        if since is not None and until < since:
            until = since  # a clock moved back: nothing new, never a window that ends before it starts
        facts, resent = _facts(uow, config, since, until)
        seq = reads.next_seq(uow.store, config.code, "export")
        for start in range(0, len(facts), config.max_records):
            written.append(_write_batch(uow, config, seq, (since, until), facts[start:start + config.max_records],
                                        cmd.actor, now))
            seq += 1
        for found in resent if written else ():
            writes.set_detail(uow.store, found["id"], {**found["detail"], "resent_in": written[0]["seq"]})
    for batch in written:  # committed: now the platform may see them
        files.publish(config.outbox, batch["file_name"], batch["sha256"])
    return {"connector": config.code, "batches": written, "finished": finished}
