"""The platform's acknowledgements of export batches (``ack_<platform>_<city>_<seq>.json``; docs/exchange.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from city.exchange.config import ExchangeConfig
from city.exchange.schema import FileRefused
from city.persistence.read import exchange as reads
from city.persistence.repositories import exchange as writes
from engine.persistence.uow import UnitOfWork


def record_ack(uow: UnitOfWork, config: ExchangeConfig, name: str, ack: dict[str, Any], now: datetime) -> str:
    """Record ``ack`` on its export batch; its status. FileRefused when its seq is not that of the file name, names
    no export batch, or its sha256 is not the batch's file's."""
    expected = f"ack_{config.file_prefix()}_{int(ack['seq']):06d}.json"
    if name != expected:
        raise FileRefused(f"an acknowledgement of seq {ack['seq']} must be named {expected}")
    found = reads.batch(uow.store, config.code, "export", int(ack["seq"]))
    if found is None:
        raise FileRefused(f"no export batch {ack['seq']}")
    if found["sha256"] != ack["sha256"]:
        raise FileRefused(f"sha256 {ack['sha256']} is not that of batch {ack['seq']} ({found['sha256']})")
    sent = set(found["detail"].get("case_nos", []))
    strangers = sorted({str(e["case_no"]) for e in ack.get("errors", [])} - sent)
    if strangers:
        raise FileRefused(f"errors name cases batch {ack['seq']} did not carry: " + ", ".join(strangers[:5]))
    if ack["status"] == "partial" and not ack.get("errors"):
        raise FileRefused("a partial acknowledgement names the refused cases in errors")
    detail = {**found["detail"], "ack": {"status": ack["status"], "errors": ack.get("errors", [])}}
    writes.acknowledge(uow.store, int(found["id"]), ack["status"], detail, now)
    return str(ack["status"])
