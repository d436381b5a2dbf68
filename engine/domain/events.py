"""Audit event types (past tense) and the hash chain that makes the case log tamper-evident."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

CASE_STARTED = "case_started"
CASE_COMPLETED = "case_completed"
TASK_READY = "task_ready"
TASK_CLAIMED = "task_claimed"
TASK_UNCLAIMED = "task_unclaimed"
TASK_COMPLETED = "task_completed"
TASK_CANCELLED = "task_cancelled"
TIMER_WAITING = "timer_waiting"
TIMER_FIRED = "timer_fired"
TIMER_CANCELLED = "timer_cancelled"
TIMER_FAILED = "timer_failed"
MESSAGE_RECEIVED = "message_received"
CASE_MIGRATED = "case_migrated"  # moved to another version of its process: {"from_version", "to_version"}

GENESIS_HASH = "0" * 64


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    if not value and isinstance(value, dict):
        return "{}"
    return _ENCODE(value)


def event_hash(
    prev_hash: str,
    *,
    case_id: int,
    seq: int,
    occurred_at: datetime,
    actor: str,
    event_type: str,
    task_id: str | None,
    bpmn_id: str | None,
    data: dict[str, Any] | None = None,
    process_version_id: int,
    data_json: str | None = None,
) -> str:
    """Hash one audit row together with its predecessor's hash (per-case chain).

    ``data_json`` is the stored canonical JSON of ``data``; pass either.
    """
    # In UTC, as stored: a clock in another zone must not give a hash the stored row cannot reproduce.
    head = canonical_json([case_id, seq, occurred_at.astimezone(UTC).isoformat(), actor, event_type, task_id, bpmn_id,
                           process_version_id])
    body = data_json if data_json is not None else canonical_json(data or {})
    return hashlib.sha256(f"{prev_hash}{head}{body}".encode()).hexdigest()
