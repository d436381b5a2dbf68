"""Idempotent starts by hand: the same ``Idempotency-Key`` from the same account for the same process starts one
case, whichever entry point sends it (the API's ``POST /processes/{id}/cases`` header, ``gridcase case start
--idempotency-key``).

It reuses the storage of the other idempotent starts (a report's channel + external id, a timer start's
occurrence): the ``StartCase`` command carries the channel ``hand-start`` and an external id derived from the
account, the process and the key, which the unique ``(channel, external_id)`` of ``cases`` holds once — a repeat,
or a lost race, finds the first case instead of starting a second. The key itself is not stored (it may be up to
200 characters, the column holds 200): its SHA-256 with the account and the process is. A repeat whose start data
differs from the first start's (read from that case's ``case_started`` event) is refused with 409, so a client
that reused a key for another request learns it instead of silently getting an unrelated case.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from engine.domain.commands import StartCase
from engine.domain.errors import ConcurrencyConflict, InvalidCommand
from engine.persistence.read import starts as start_reads
from engine.service.deps import Deps

HAND_START_CHANNEL = "hand-start"
MAX_KEY_LENGTH = 200


class StartedRef(Protocol):
    """What the bus answers a ``StartCase`` with (``engine.service.handlers.CaseRef``)."""

    case_id: int
    created: bool
    case_no: str | None


class CommandBus(Protocol):
    """The message bus, as far as a start needs it."""

    def handle(self, command: Any) -> Any: ...


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be an idempotency key (1–200 printable ASCII characters), or None when it can."""
    if not key:
        return "must not be empty"
    if len(key) > MAX_KEY_LENGTH:
        return f"must be at most {MAX_KEY_LENGTH} characters"
    if any(not " " <= ch <= "~" for ch in key):
        return "must hold printable ASCII characters only"
    return None


def start_external_id(actor: str, process_id: str, key: str) -> str:
    """The external id a keyed start is stored under: one per (account, process, key), 64 hex characters."""
    return hashlib.sha256(json.dumps([actor, process_id, key]).encode("utf-8")).hexdigest()


def start_command(process_id: str, data: dict[str, Any], actor: str, *, key: str | None, check_starter: bool,
                  actor_kind: str | None = None) -> StartCase:
    """The ``StartCase`` of a start by hand, keyed when ``key`` is given (InvalidCommand naming ``field`` when the
    key is not one)."""
    if key is None:
        return StartCase(process_id, data, actor, check_form=True, check_starter=check_starter, actor_kind=actor_kind)
    problem = key_problem(key)
    if problem is not None:
        raise InvalidCommand(f"the idempotency key {problem}", field="idempotency_key")
    return StartCase(process_id, data, actor, HAND_START_CHANNEL, start_external_id(actor, process_id, key),
                     check_form=True, check_starter=check_starter, actor_kind=actor_kind)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def check_repeat(deps: Deps, ref: StartedRef, data: dict[str, Any]) -> None:
    """After a keyed start found its first case (``ref.created`` False): ConcurrencyConflict (409) when ``data``
    is not the data that case was started with."""
    if ref.created:
        return
    with deps.uow(read_only=True) as uow:
        stored = start_reads.start_data(uow.store, ref.case_id)
    first = json.loads(stored).get("data") if stored else None
    if _canonical(first) != _canonical(data):
        raise ConcurrencyConflict(f"the idempotency key was used for case {ref.case_no} with other start data;"
                                  " send a new key for a new case", field="idempotency_key")


def start_by_hand(deps: Deps, bus: CommandBus, process_id: str, data: dict[str, Any], actor: str, *,
                  key: str | None = None, check_starter: bool = True, actor_kind: str | None = None) -> StartedRef:
    """Start a case of ``process_id`` by hand through the bus; with ``key`` idempotently (the first case again when
    the account sent the key for the process before with the same data, 409 when with other data)."""
    ref: StartedRef = bus.handle(start_command(process_id, data, actor, key=key, check_starter=check_starter,
                                               actor_kind=actor_kind))
    check_repeat(deps, ref, data)
    return ref
