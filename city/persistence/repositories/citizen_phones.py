"""Writes (and the locking reads of a command) of ``phone_confirmations``: a code sent to a phone, the attempts at
it, the ticket it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.persistence.db import as_utc
from engine.persistence.repositories.cases import CaseStore


@dataclass(frozen=True)
class Confirmation:
    """A phone's live code (its hash), when it expires and how many wrong attempts it has had."""

    id: int
    code_hash: str
    expires_at: datetime
    attempts: int
    confirmed: bool


def replace_code(store: CaseStore, phone: str, code_hash: str, address: str, now: datetime,
                 expires_at: datetime) -> int:
    """A new code for ``phone``: its unconfirmed codes are dropped (a new request replaces the old)."""
    stamp = store.dialect.stamp
    store._execute("DELETE FROM phone_confirmations WHERE phone = ? AND confirmed_at IS NULL", (phone,))
    store._execute("DELETE FROM phone_confirmations WHERE phone = ? AND ticket_expires_at < ?", (phone, stamp(now)))
    row = store._execute(
        "INSERT INTO phone_confirmations (phone, code_hash, address, created_at, expires_at, attempts)"
        " VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
        (phone, code_hash, address[:64], stamp(now), stamp(expires_at))).fetchone()
    return int(row[0])


def pending_code(store: CaseStore, phone: str) -> Confirmation | None:
    """``phone``'s newest unconfirmed code, locked for the attempt (None: no code asked)."""
    row = store._execute(
        "SELECT id, code_hash, expires_at, attempts, confirmed_at FROM phone_confirmations"
        f" WHERE phone = ? AND confirmed_at IS NULL ORDER BY id DESC LIMIT 1{store.dialect.for_update}",
        (phone,)).fetchone()
    if row is None:
        return None
    expires = as_utc(row[2])
    assert expires is not None
    return Confirmation(int(row[0]), str(row[1]), expires, int(row[3]), row[4] is not None)


def count_attempt(store: CaseStore, confirmation_id: int) -> int:
    """One more wrong attempt; the attempts now."""
    row = store._execute("UPDATE phone_confirmations SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
                         (confirmation_id,)).fetchone()
    return int(row[0])


def confirm(store: CaseStore, confirmation_id: int, ticket_hash: str, now: datetime, expires_at: datetime) -> None:
    """The code was right: the ticket's hash and expiry kept."""
    stamp = store.dialect.stamp
    store._execute("UPDATE phone_confirmations SET confirmed_at = ?, ticket_hash = ?, ticket_expires_at = ?"
                   " WHERE id = ?", (stamp(now), ticket_hash, stamp(expires_at), confirmation_id))


def ticket_valid(store: CaseStore, phone: str, ticket_hash: str, now: datetime) -> bool:
    """Whether the ticket was given for ``phone`` and has not expired."""
    row = store._execute("SELECT ticket_expires_at FROM phone_confirmations WHERE ticket_hash = ? AND phone = ?",
                         (ticket_hash, phone)).fetchone()
    expires = None if row is None else as_utc(row[0])
    return expires is not None and expires > now
