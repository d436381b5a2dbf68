"""Handlers of the channel commands (AddChannel, EditChannel) on the city package's ``channels`` table. A city
whose table is still empty works with the default channels (``city.package.profile``): the first change stores
them, then applies itself, so what intake accepts never jumps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from city.admin import commands as ac
from city.admin.checks import admin, check_common, check_name, record
from city.package.profile import DEFAULT_CHANNELS
from engine.domain.errors import ConcurrencyConflict, GridcaseError, InvalidCommand, NotFound
from engine.persistence.db import is_unique_violation
from engine.persistence.uow import UnitOfWork
from engine.service.bus import HandlerContext

CHANNEL_CODE = re.compile(r"^[a-z0-9_]{1,30}$")


def _stored(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The channels, storing the defaults first when the table is empty."""
    store = admin(uow)
    rows = store.channels()
    if not rows:
        for position, channel in enumerate(DEFAULT_CHANNELS, start=1):
            store.put_channel({**channel, "position": position}, new=True)
        rows = store.channels()
    return rows


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """Two first changes at once on an empty table both store the defaults, or two adds the same code: the later
    one's insert breaks the unique key and is refused 409 (nothing written) rather than a 500; sent again, it
    sees the stored channels."""
    try:
        yield
    except GridcaseError:
        raise
    except Exception as exc:
        if is_unique_violation(exc):
            raise ConcurrencyConflict("the channels were changed at the same time; retry", field="code") from exc
        raise


def add_channel(cmd: ac.AddChannel, ctx: HandlerContext) -> dict[str, Any]:
    """Add the channel after the others; refused naming the field."""
    check_common(cmd.actor, cmd.comment)
    if not CHANNEL_CODE.fullmatch(cmd.code):
        raise InvalidCommand("a channel code has 1–30 lower-case letters, digits or '_'", field="code")
    check_name(cmd.name_zh, "name_zh")
    check_name(cmd.name_en, "name_en")
    with _one_at_a_time(), ctx.deps.uow() as uow:
        rows = _stored(uow)
        if any(c["code"] == cmd.code for c in rows):
            raise InvalidCommand(f"channel {cmd.code!r} already exists", field="code")
        row = {"code": cmd.code, "name_zh": cmd.name_zh.strip(), "name_en": cmd.name_en.strip(),
               "urgent": bool(cmd.urgent), "active": True, "position": max(c["position"] for c in rows) + 1}
        admin(uow).put_channel(row, new=True)
        record(uow, ctx, "channel", cmd.code, "add", None, row, cmd.actor, cmd.comment)
    return row


def edit_channel(cmd: ac.EditChannel, ctx: HandlerContext) -> dict[str, Any]:
    """Change the fields given; the result is the channel as it now is."""
    check_common(cmd.actor, cmd.comment)
    check_name(cmd.name_zh, "name_zh")
    check_name(cmd.name_en, "name_en")
    given = {"name_zh": cmd.name_zh and cmd.name_zh.strip(), "name_en": cmd.name_en and cmd.name_en.strip(),
             "urgent": cmd.urgent, "active": cmd.active}
    with _one_at_a_time(), ctx.deps.uow() as uow:
        rows = _stored(uow)
        before = next((c for c in rows if c["code"] == cmd.code), None)
        if before is None:
            raise NotFound(f"no channel {cmd.code!r}", field="code")
        after = {**before, **{k: v for k, v in given.items() if v is not None}}
        if before["active"] and not after["active"] and not any(c["active"] for c in rows if c is not before):
            raise InvalidCommand("the last active channel cannot be disabled: reports would have no way in",
                                 field="active")
        if after != before:
            admin(uow).put_channel(after, new=False)
            action = "disable" if before["active"] and not after["active"] else "edit"
            record(uow, ctx, "channel", cmd.code, action, before, after, cmd.actor, cmd.comment)
    return after
