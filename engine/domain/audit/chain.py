"""Checking a case's stored audit chain: gapless sequence numbers, linked and reproducible hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain import events as ev


@dataclass(frozen=True)
class StoredEvent:
    """One ``case_events`` row as stored (``data`` is the canonical JSON text)."""

    case_id: int
    seq: int
    occurred_at: datetime
    actor: str
    actor_kind: str | None
    event_type: str
    command: str | None
    task_id: str | None
    bpmn_id: str | None
    data: str
    process_version_id: int
    prev_hash: str
    hash: str
    request_id: str | None = None  # the request, timer firing or CLI run that wrote it (None: older rows)

    def recomputed_hash(self, prev_hash: str) -> str:
        """The hash this row must have after ``prev_hash``."""
        return ev.event_hash(prev_hash, case_id=self.case_id, seq=self.seq, occurred_at=self.occurred_at,
                             actor=self.actor, event_type=self.event_type, task_id=self.task_id,
                             bpmn_id=self.bpmn_id, data_json=self.data, process_version_id=self.process_version_id,
                             actor_kind=self.actor_kind, command=self.command, request_id=self.request_id)


@dataclass(frozen=True)
class Divergence:
    """Where a case's record stops being what it should be: the event, the field, expected and found."""

    seq: int | None
    event_type: str | None
    field: str
    expected: Any
    found: Any
    reason: str

    def describe(self) -> str:
        """One line for a terminal or a log."""
        kind = f" ({self.event_type})" if self.event_type else ""
        where = "case" if self.seq is None else f"event {self.seq}{kind}"
        return f"{where}: {self.reason} — {self.field}: expected {self.expected!r}, found {self.found!r}"


def chain_problems(events: list[StoredEvent], head: tuple[int, str] | None = None) -> list[Divergence]:
    """Every way the chain fails: a gap or reordering, a broken link, a row whose hash does not match
    its fields, or a case head (``cases.last_event_seq``/``last_event_hash``) that is not the last row."""
    problems = []
    prev = ev.GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(Divergence(event.seq, event.event_type, "seq", expected_seq, event.seq,
                                       "an event is missing or out of order"))
        if event.prev_hash != prev:
            problems.append(Divergence(event.seq, event.event_type, "prev_hash", prev, event.prev_hash,
                                       "the event does not link to the one before"))
        digest = event.recomputed_hash(prev)
        if digest != event.hash:
            problems.append(Divergence(event.seq, event.event_type, "hash", digest, event.hash,
                                       "the stored hash differs from the one its fields give (altered)"))
        prev = event.hash
    last = (len(events), prev)
    if head is not None and tuple(head) != last:
        problems.append(Divergence(None, None, "cases.last_event_seq/last_event_hash", last, tuple(head),
                                   "the case's chain head is not the last stored event"))
    return problems


def check_chain(events: list[StoredEvent], head: tuple[int, str] | None = None) -> Divergence | None:
    """The first problem of the chain, or None when it is intact."""
    problems = chain_problems(events, head)
    return problems[0] if problems else None
