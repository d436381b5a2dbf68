"""Open311 apps' api keys: made and revoked by admins (``CreateApiKey``, ``RevokeApiKey``), looked up by what an
app sends. The key is ``o311_`` + 43 URL-safe characters, shown once; only its sha256 and a prefix are kept."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from city.open311.commands import CreateApiKey, RevokeApiKey
from city.open311.settings import MAX_PER_MINUTE, Open311Settings
from city.persistence.read import open311_keys as reads
from city.persistence.repositories import api_keys
from city.registry_loads import refuse_non_admins
from engine.domain.errors import ConcurrencyConflict, NotFound
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import text_fault
from engine.persistence.db import is_unique_violation
from engine.persistence.repositories.cases import CaseStore
from engine.service.bus import HandlerContext
from engine.service.deps import Deps

KEY_PREFIX = "o311_"
SHOWN_CHARS = 8  # of the key's random part: enough to tell keys apart in a list, useless to guess the rest
MAX_KEY_CHARS = 200  # what an app may send as api_key; longer is no key of ours
KEEPING = "keep Open311 api keys"


def key_hash(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def active_key(store: CaseStore, key: str | None) -> dict[str, Any] | None:
    """The unrevoked key an app sent (None when absent, unknown, revoked or not even text of a key's size)."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS:
        return None
    found = reads.key_by_hash(store, key_hash(key))
    return found if found is not None and found["revoked_at"] is None else None


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "key_prefix": KEY_PREFIX + row["key_prefix"]}


def _checked(cmd: CreateApiKey) -> int:
    problems = {name: fault for name, fault in (("name", text_fault(cmd.name, 100)),
                                                ("contact", text_fault(cmd.contact, 200))) if fault}
    per_minute = Open311Settings.from_env().key_per_minute if cmd.per_minute is None else cmd.per_minute
    if isinstance(per_minute, bool) or not isinstance(per_minute, int) or not 0 < per_minute <= MAX_PER_MINUTE:
        problems["per_minute"] = f"must be a whole number from 1 to {MAX_PER_MINUTE}"
    if problems:
        raise FieldsRejected(problems, "the api key has invalid fields")
    return per_minute


def create_api_key(cmd: CreateApiKey, ctx: HandlerContext) -> dict[str, Any]:
    """Make a key (admins; 422 naming the field, 409 for a name taken): the row and, this once, ``key``."""
    per_minute = _checked(cmd)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with ctx.deps.uow() as uow:
            refuse_non_admins(uow, cmd.actor, KEEPING)
            key_id = api_keys.insert_key(uow.store, name=cmd.name.strip(), contact=cmd.contact.strip(),
                                         key_hash=key_hash(key), key_prefix=key[len(KEY_PREFIX):][:SHOWN_CHARS],
                                         per_minute=per_minute, actor=cmd.actor, now=ctx.deps.clock.now())
            row = reads.key_by_id(uow.store, key_id)
    except Exception as exc:
        if is_unique_violation(exc):
            raise ConcurrencyConflict(f"an api key named {cmd.name.strip()!r} exists already", field="name") from exc
        raise
    assert row is not None  # inserted just now
    return {**_public(row), "key": key}


def revoke_api_key(cmd: RevokeApiKey, ctx: HandlerContext) -> dict[str, Any]:
    """Revoke a key (admins; 404 for an unknown id; revoking it again changes nothing): the row."""
    if isinstance(cmd.key_id, bool) or not isinstance(cmd.key_id, int) or not 0 < cmd.key_id < 2**31:
        raise NotFound(f"no api key {cmd.key_id}", field="key_id")
    with ctx.deps.uow() as uow:
        refuse_non_admins(uow, cmd.actor, KEEPING)
        if reads.key_by_id(uow.store, cmd.key_id) is None:
            raise NotFound(f"no api key {cmd.key_id}", field="key_id")
        api_keys.revoke_key(uow.store, cmd.key_id, cmd.actor, ctx.deps.clock.now())
        row = reads.key_by_id(uow.store, cmd.key_id)
    assert row is not None
    return _public(row)


def key_limit(deps: Deps, key: str | None) -> tuple[int, int] | None:
    """The id and per-minute limit of the unrevoked key an app sent (the route's rate gate), or None."""
    with deps.uow(read_only=True) as uow:
        found = active_key(uow.store, key)
    return None if found is None else (int(found["id"]), int(found["per_minute"]))


def key_list(deps: Deps) -> list[dict[str, Any]]:
    """Every key for the admins' list and API (the prefix shown with ``o311_``; never the key)."""
    with deps.uow(read_only=True) as uow:
        return [_public(row) for row in reads.key_list(uow.store)]
