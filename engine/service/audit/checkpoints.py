"""Audit checkpoints: one row, now and then, that chains the heads of every case's event chain.

A case's own chain shows an edited or deleted event; it cannot show that the whole history of a
case was deleted, or rewritten and re-hashed from the start. A checkpoint records each moved head
(case, last seq, last hash) and chains itself to the previous checkpoint, so both leave a head that
the log no longer has. Publishing the newest checkpoint hash outside the database (the scheduler logs
it; ``gridcase replay checkpoint`` prints it) anchors the checkpoints themselves.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from engine.domain import commands as c
from engine.domain import events as ev
from engine.domain.audit.chain import Divergence
from engine.persistence.repositories import audit as audit_store
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckpointWritten:
    """A new checkpoint (None id: no head moved, nothing written)."""

    checkpoint_id: int | None
    cases: int
    hash: str


def checkpoint_hash(prev_hash: str, created_at: datetime, heads: list[tuple[int, int, str]]) -> str:
    """sha256 over the previous checkpoint's hash, the time and the sorted heads."""
    body = ev.canonical_json([created_at.astimezone(UTC).isoformat(), sorted(heads)])
    return hashlib.sha256(f"{prev_hash}{body}".encode()).hexdigest()


def write_audit_checkpoint(cmd: c.WriteAuditCheckpoint, ctx: HandlerContext) -> CheckpointWritten:
    """Write a checkpoint of the heads that moved since the last one (one transaction)."""
    deps: Deps = ctx.deps
    now = deps.clock.now()
    with deps.uow() as uow:
        store = uow.store
        last = audit_store.last_checkpoint(store)
        prev_hash = last[1] if last is not None else ev.GENESIS_HASH
        heads = audit_store.moved_heads(store)
        if not heads:
            return CheckpointWritten(None, 0, prev_hash)
        digest = checkpoint_hash(prev_hash, now, heads)
        checkpoint_id = audit_store.insert_checkpoint(store, created_at=now, heads=heads, prev_hash=prev_hash,
                                                      digest=digest)
    log.info("audit checkpoint %s: %s case heads, hash %s", checkpoint_id, len(heads), digest)
    return CheckpointWritten(checkpoint_id, len(heads), digest)


def verify_checkpoints(deps: Deps) -> list[Divergence]:
    """Every checkpoint must link to the one before, hash to its stored hash, and name heads the log has."""
    problems: list[Divergence] = []
    prev = ev.GENESIS_HASH
    with deps.uow(read_only=True) as uow:
        store = uow.store
        for checkpoint_id, created_at, prev_hash, digest, heads in audit_store.checkpoints(store):
            where = f"audit_checkpoints[{checkpoint_id}]"
            if prev_hash != prev:
                problems.append(Divergence(None, None, f"{where}.prev_hash", prev, prev_hash,
                                           "a checkpoint is missing or was replaced"))
            expected = checkpoint_hash(prev_hash, created_at, heads)
            if expected != digest:
                problems.append(Divergence(None, None, f"{where}.hash", expected, digest,
                                           "the checkpoint was altered"))
            for case_id, seq, head in heads:
                found = audit_store.event_hash_at(store, case_id, seq)
                if found != head:
                    problems.append(Divergence(seq, None, f"case {case_id}", head, found,
                                               f"{where} saw this case's event {seq}; the log no longer has it "
                                               "(history deleted or rewritten)"))
            prev = digest
    return problems
